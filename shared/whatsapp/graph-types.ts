import { z } from 'zod';

/**
 * What goes to and comes from Meta's Graph API for WhatsApp Cloud API messaging: send
 * requests and responses, media, and Graph error bodies. Shared by the worker's client and
 * the local emulator, so both speak the same shapes.
 */

export const DEFAULT_GRAPH_API_BASE_URL = 'https://graph.facebook.com';
/** The Graph API version used unless configured otherwise (`GRAPH_API_VERSION`). */
export const DEFAULT_GRAPH_API_VERSION = 'v25.0';
export const GRAPH_API_VERSION_FORMAT = /^v\d+\.\d+$/;

// --- Sending -------------------------------------------------------------------------------

export interface TextContent {
  body: string;
  preview_url?: boolean;
}

/** Media by the id an upload returned, or by a public link Meta fetches. */
export type MediaContent = ({ id: string; link?: never } | { link: string; id?: never }) & {
  caption?: string;
  /** Documents only: the name shown to the recipient. */
  filename?: string;
};

export interface LocationContent {
  latitude: number;
  longitude: number;
  name?: string;
  address?: string;
}

/** A reaction to a message; an empty `emoji` removes it. */
export interface ReactionContent {
  message_id: string;
  emoji: string;
}

export type TemplateParameter = { parameter_name?: string } & (
  | { type: 'text'; text: string }
  | { type: 'currency'; currency: { fallback_value: string; code: string; amount_1000: number } }
  | { type: 'date_time'; date_time: { fallback_value: string } }
  | { type: 'image'; image: MediaContent }
  | { type: 'video'; video: MediaContent }
  | { type: 'document'; document: MediaContent }
  | { type: 'location'; location: LocationContent }
  | { type: 'payload'; payload: string }
  | { type: 'coupon_code'; coupon_code: string }
);

export type TemplateComponent =
  | { type: 'header' | 'body'; parameters: TemplateParameter[] }
  | {
      type: 'button';
      sub_type: 'quick_reply' | 'url' | 'copy_code' | 'flow';
      index: number | string;
      parameters: TemplateParameter[];
    };

export interface TemplateContent {
  name: string;
  language: { code: string; policy?: 'deterministic' };
  components?: TemplateComponent[];
}

type InteractiveHeader =
  | { type: 'text'; text: string }
  | { type: 'image'; image: MediaContent }
  | { type: 'video'; video: MediaContent }
  | { type: 'document'; document: MediaContent };

interface InteractiveFrame {
  body: { text: string };
  footer?: { text: string };
}

/** Up to three reply buttons. */
export interface InteractiveButtons extends InteractiveFrame {
  type: 'button';
  header?: InteractiveHeader;
  action: { buttons: Array<{ type: 'reply'; reply: { id: string; title: string } }> };
}

/** A list: one button opening sections of up to ten rows in all. */
export interface InteractiveList extends InteractiveFrame {
  type: 'list';
  header?: { type: 'text'; text: string };
  action: {
    button: string;
    sections: Array<{
      title?: string;
      rows: Array<{ id: string; title: string; description?: string }>;
    }>;
  };
}

/** A button that opens a URL. */
export interface InteractiveCtaUrl extends InteractiveFrame {
  type: 'cta_url';
  header?: InteractiveHeader;
  action: { name: 'cta_url'; parameters: { display_text: string; url: string } };
}

export type InteractiveContent = InteractiveButtons | InteractiveList | InteractiveCtaUrl;

/** A message to send, as `POST /{phone_number_id}/messages` takes it without `messaging_product`. */
export type OutboundMessage = {
  /** The recipient's phone number; `+`, spaces and dashes are allowed. */
  to: string;
  recipient_type?: 'individual';
  /** Quote an earlier message. */
  context?: { message_id: string };
  /** Returned in this message's status webhooks. */
  biz_opaque_callback_data?: string;
} & (
  | { type: 'text'; text: TextContent }
  | { type: 'template'; template: TemplateContent }
  | { type: 'interactive'; interactive: InteractiveContent }
  | { type: 'image'; image: MediaContent }
  | { type: 'audio'; audio: MediaContent }
  | { type: 'video'; video: MediaContent }
  | { type: 'document'; document: MediaContent }
  | { type: 'sticker'; sticker: MediaContent }
  | { type: 'location'; location: LocationContent }
  | { type: 'reaction'; reaction: ReactionContent }
);

export type SendMessageRequest = OutboundMessage & { messaging_product: 'whatsapp' };

/** Marks an inbound message read (blue ticks), optionally showing a typing indicator. */
export interface MarkReadRequest {
  messaging_product: 'whatsapp';
  status: 'read';
  message_id: string;
  typing_indicator?: { type: 'text' };
}

export const sendMessageResponseSchema = z.looseObject({
  messaging_product: z.literal('whatsapp'),
  contacts: z.array(z.looseObject({ input: z.string(), wa_id: z.string().optional() })),
  messages: z
    .array(z.looseObject({ id: z.string().min(1), message_status: z.string().optional() }))
    .min(1),
});
/** What a send returns: the recipient as Meta resolved it, and the new message's wamid. */
export type SendMessageResponse = z.infer<typeof sendMessageResponseSchema>;

// --- Media ---------------------------------------------------------------------------------

/** `POST /{phone_number_id}/media` (multipart: `messaging_product`, `type`, `file`). */
export const mediaUploadResponseSchema = z.looseObject({ id: z.string().min(1) });
export type MediaUploadResponse = z.infer<typeof mediaUploadResponseSchema>;

/** `GET /{media_id}`: a short-lived download URL, fetched with the same bearer token. */
export const mediaInfoSchema = z.looseObject({
  messaging_product: z.literal('whatsapp'),
  url: z.url(),
  mime_type: z.string(),
  sha256: z.string(),
  file_size: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/).transform(Number)]),
  id: z.string(),
});
export type MediaInfo = z.infer<typeof mediaInfoSchema>;

// --- Errors --------------------------------------------------------------------------------

/** A Graph API error body: `{ error: { message, type, code, … } }`. */
export const graphErrorBodySchema = z.object({
  error: z.looseObject({
    message: z.string(),
    type: z.string().optional(),
    code: z.number().int(),
    error_subcode: z.number().int().optional(),
    error_data: z
      .looseObject({ messaging_product: z.string().optional(), details: z.string().optional() })
      .optional(),
    fbtrace_id: z.string().optional(),
    is_transient: z.boolean().optional(),
  }),
});
export type GraphErrorBody = z.infer<typeof graphErrorBodySchema>;

/** Meta's error codes that the CRM acts on (the Cloud API error code reference). */
export const GraphErrorCode = {
  /** Invalid request or possible server error. */
  Unknown: 1,
  /** Temporary: downtime or overload. */
  Service: 2,
  /** The app reached its API call rate limit. */
  TooManyCalls: 4,
  InvalidParameter: 100,
  AccessTokenRequired: 104,
  /** The access token is invalid or expired. */
  AccessTokenExpired: 190,
  /** The WhatsApp Business Account reached its rate limit. */
  RateLimitIssues: 80007,
  /** Cloud API throughput reached for this number. */
  RateLimitHit: 130429,
  SomethingWentWrong: 131000,
  ServiceUnavailable: 131016,
  RecipientNotOnWhatsApp: 131026,
  /** Free-form message outside the 24-hour customer service window: send a template. */
  ReEngagement: 131047,
  SpamRateLimit: 131048,
  UnsupportedMessageType: 131051,
  MediaUploadError: 131053,
  /** Too many messages to the same user in a short time. */
  PairRateLimit: 131056,
  AccountInMaintenance: 131057,
  TemplateDoesNotExist: 132001,
} as const;

/** Codes Meta documents as throttling or temporary: retry later, with backoff. */
export const RETRYABLE_GRAPH_ERROR_CODES: ReadonlySet<number> = new Set([
  GraphErrorCode.Service,
  GraphErrorCode.TooManyCalls,
  GraphErrorCode.RateLimitIssues,
  GraphErrorCode.RateLimitHit,
  GraphErrorCode.SomethingWentWrong,
  GraphErrorCode.ServiceUnavailable,
  GraphErrorCode.PairRateLimit,
  GraphErrorCode.AccountInMaintenance,
]);
