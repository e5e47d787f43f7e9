import { z } from 'zod';
import {
  type InboundMessage,
  inboundMessageSchema,
  unixSeconds,
  type WebhookError,
  webhookErrorSchema,
} from './webhook-messages.ts';

export * from './webhook-messages.ts';

/**
 * Meta's WhatsApp Cloud API webhook deliveries (`object: whatsapp_business_account`). The
 * envelope and the `messages` field are checked; other fields a WhatsApp Business Account
 * may be subscribed to (template status, account updates, calls…) pass through untouched.
 */

/** Statuses Meta reports for an outbound message, in the order they are reached. */
export const KNOWN_STATUSES = ['sent', 'delivered', 'read', 'failed'] as const;
export type KnownStatus = (typeof KNOWN_STATUSES)[number];

export const webhookStatusSchema = z.looseObject({
  /** The wamid of the outbound message this status is about. */
  id: z.string().min(1),
  /** One of KNOWN_STATUSES, or a newer value (`played`…) kept as sent. */
  status: z.string().min(1),
  timestamp: unixSeconds,
  /** The recipient's phone number (absent when the message was sent to a BSUID). */
  recipient_id: z.string().optional(),
  biz_opaque_callback_data: z.string().optional(),
  conversation: z
    .looseObject({
      id: z.string(),
      expiration_timestamp: unixSeconds.optional(),
      origin: z.looseObject({ type: z.string() }).optional(),
    })
    .optional(),
  pricing: z
    .looseObject({
      billable: z.boolean().optional(),
      pricing_model: z.string().optional(),
      type: z.string().optional(),
      category: z.string().optional(),
    })
    .optional(),
  /** Why a `failed` status failed: code 131047 is the closed 24-hour window, and so on. */
  errors: z.array(webhookErrorSchema).optional(),
});
export type WebhookStatus = z.infer<typeof webhookStatusSchema>;

export const webhookContactSchema = z.looseObject({
  wa_id: z.string().optional(),
  user_id: z.string().optional(),
  profile: z.looseObject({ name: z.string().optional() }).optional(),
});
export type WebhookContact = z.infer<typeof webhookContactSchema>;

export const messagesValueSchema = z.looseObject({
  messaging_product: z.literal('whatsapp'),
  metadata: z.looseObject({
    display_phone_number: z.string(),
    /** The business number the delivery is for; channels map it to a project. */
    phone_number_id: z.string().min(1),
  }),
  contacts: z.array(webhookContactSchema).optional(),
  messages: z.array(inboundMessageSchema).optional(),
  statuses: z.array(webhookStatusSchema).optional(),
  errors: z.array(webhookErrorSchema).optional(),
});
export type MessagesValue = z.infer<typeof messagesValueSchema>;

const messagesChange = z.looseObject({ field: z.literal('messages'), value: messagesValueSchema });
const otherChange = z.looseObject({
  field: z.string().refine((f) => f !== 'messages', { message: 'malformed messages change' }),
  value: z.unknown(),
});

export const webhookDeliverySchema = z.looseObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.looseObject({
      /** The WhatsApp Business Account id. */
      id: z.string(),
      changes: z.array(z.union([messagesChange, otherChange])),
    }),
  ),
});
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

/** Where an item came from: the account and the business number. */
interface ItemSource {
  /** Unique across deliveries: what the intake stores once. */
  key: string;
  wabaId: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
}

/** An inbound message, keyed `message:<wamid>`. */
export interface MessageItem extends ItemSource {
  kind: 'message';
  messageId: string;
  /** The sender's phone number (digits, no `+`), or null for a BSUID-only sender. */
  from: string | null;
  fromUserId: string | null;
  /** The profile in `value.contacts` that matches the sender, if any. */
  contact: WebhookContact | null;
  type: string;
  /** Milliseconds since the epoch. */
  sentAt: number;
  message: InboundMessage;
}

/** A status of an outbound message, keyed `status:<wamid>:<status>`. */
export interface StatusItem extends ItemSource {
  kind: 'status';
  messageId: string;
  status: string;
  recipientId: string | null;
  /** Milliseconds since the epoch. */
  at: number;
  errors: WebhookError[];
  payload: WebhookStatus;
}

/** An error about the number itself (`value.errors`), keyed by code and content. */
export interface ErrorItem extends ItemSource {
  kind: 'error';
  code: number;
  error: WebhookError;
}

export type IntakeItem = MessageItem | StatusItem | ErrorItem;

/**
 * Parses a delivery (the JSON of a verified body). Unknown fields are kept.
 *
 * @example
 * const parsed = parseDelivery(JSON.parse(new TextDecoder().decode(raw)));
 * if (!parsed.success) return c.json({ error: 'not a WhatsApp delivery' }, 400);
 */
export function parseDelivery(json: unknown) {
  return webhookDeliverySchema.safeParse(json);
}

/**
 * Flattens a delivery into what the intake stores: one item per inbound message (by wamid),
 * per status (by wamid and status value) and per number-level error. A retried or
 * duplicated delivery yields the same keys, and a key repeated inside one delivery is kept
 * once, so `insert … on conflict (key) do nothing` stores each exactly once.
 *
 * @example
 * for (const item of flattenDelivery(delivery)) await insertOnce(tx, item.key, item);
 */
export function flattenDelivery(delivery: WebhookDelivery): IntakeItem[] {
  const items = new Map<string, IntakeItem>();
  const add = (item: IntakeItem) => {
    if (!items.has(item.key)) items.set(item.key, item);
  };
  for (const entry of delivery.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages') continue;
      // The schema only lets a `messages` change through with a valid value.
      const value = change.value as MessagesValue;
      const source = {
        wabaId: entry.id,
        phoneNumberId: value.metadata.phone_number_id,
        displayPhoneNumber: value.metadata.display_phone_number,
      };
      for (const message of value.messages ?? []) {
        add({
          ...source,
          kind: 'message',
          key: `message:${message.id}`,
          messageId: message.id,
          from: message.from ?? null,
          fromUserId: message.from_user_id ?? null,
          contact: senderContact(value.contacts, message),
          type: message.type,
          sentAt: Number(message.timestamp) * 1000,
          message,
        });
      }
      for (const status of value.statuses ?? []) {
        add({
          ...source,
          kind: 'status',
          key: `status:${status.id}:${status.status}`,
          messageId: status.id,
          status: status.status,
          recipientId: status.recipient_id ?? null,
          at: Number(status.timestamp) * 1000,
          errors: status.errors ?? [],
          payload: status,
        });
      }
      for (const error of value.errors ?? []) {
        const key = `error:${source.phoneNumberId}:${error.code}:${fnv1a(JSON.stringify(error))}`;
        add({ ...source, kind: 'error', key, code: error.code, error });
      }
    }
  }
  return [...items.values()];
}

function senderContact(contacts: WebhookContact[] | undefined, message: InboundMessage) {
  if (!contacts?.length) return null;
  const match = contacts.find(
    (c) =>
      (message.from && c.wa_id === message.from) ||
      (message.from_user_id && c.user_id === message.from_user_id),
  );
  // Meta sends one contact per message delivery; when ids do not line up, that one is it.
  return match ?? (contacts.length === 1 ? (contacts[0] ?? null) : null);
}

/** A short stable digest for errors, which carry no id of their own (FNV-1a, 32 bits). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
