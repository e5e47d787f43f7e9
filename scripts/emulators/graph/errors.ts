import { randomBytes } from 'node:crypto';
import { type GraphErrorBody, GraphErrorCode } from '../../../shared/whatsapp/graph-types.ts';

/** A Graph API error, rendered as Meta renders it: `{ error: { message, type, code, … } }`. */
export interface GraphFault {
  /** Meta's error code (130429, 131047, 190…). */
  code: number;
  /** The HTTP status; defaults to what Meta answers for the code. */
  status?: number;
  /** The title, shown as `(#code) title` in `message`. */
  title?: string;
  details?: string;
  type?: string;
  subcode?: number;
}

const TITLES: Record<number, string> = {
  [GraphErrorCode.Unknown]: 'An unknown error has occurred.',
  [GraphErrorCode.Service]: 'Service temporarily unavailable',
  [GraphErrorCode.TooManyCalls]: 'Application request limit reached',
  [GraphErrorCode.InvalidParameter]: 'Invalid parameter',
  [GraphErrorCode.AccessTokenRequired]: 'An access token is required to request this resource.',
  [GraphErrorCode.AccessTokenExpired]: 'Invalid OAuth access token - Cannot parse access token',
  [GraphErrorCode.RateLimitIssues]:
    'There have been too many calls to this WhatsApp Business account.',
  [GraphErrorCode.RateLimitHit]: 'Rate limit hit',
  [GraphErrorCode.SomethingWentWrong]: 'Something went wrong',
  [GraphErrorCode.ServiceUnavailable]: 'Service unavailable',
  [GraphErrorCode.ReEngagement]: 'Re-engagement message',
  [GraphErrorCode.MediaUploadError]: 'Media upload error',
  [GraphErrorCode.PairRateLimit]: '(Business Account, Consumer Account) pair rate limit hit',
  [GraphErrorCode.TemplateDoesNotExist]: 'Template name does not exist in the translation',
};

const DETAILS: Record<number, string> = {
  [GraphErrorCode.RateLimitHit]: 'Cloud API message throughput has been reached.',
  [GraphErrorCode.RateLimitIssues]: 'The WhatsApp Business Account has reached its rate limit.',
  [GraphErrorCode.PairRateLimit]:
    'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
  [GraphErrorCode.ReEngagement]:
    'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
};

/** The HTTP status Meta uses for a code when the fault does not say. */
export function defaultStatus(code: number): number {
  if (code === GraphErrorCode.AccessTokenExpired || code === GraphErrorCode.AccessTokenRequired) {
    return 401;
  }
  if (
    code === GraphErrorCode.TooManyCalls ||
    code === GraphErrorCode.RateLimitIssues ||
    code === GraphErrorCode.RateLimitHit ||
    code === GraphErrorCode.PairRateLimit
  ) {
    return 429;
  }
  if (code === GraphErrorCode.Service || code === GraphErrorCode.ServiceUnavailable) return 503;
  if (code === GraphErrorCode.SomethingWentWrong) return 500;
  return 400;
}

const fbtraceId = () => randomBytes(9).toString('base64url');

/** The error body, for Graph responses and for the `errors[]` of webhooks alike. */
export function errorBody(fault: GraphFault): GraphErrorBody {
  const title = fault.title ?? TITLES[fault.code] ?? 'Error';
  const oauth = defaultStatus(fault.code) === 401;
  return {
    error: {
      message: oauth ? title : `(#${fault.code}) ${title}`,
      type: fault.type ?? 'OAuthException',
      code: fault.code,
      ...(fault.subcode === undefined ? {} : { error_subcode: fault.subcode }),
      ...(oauth
        ? {}
        : {
            error_data: {
              messaging_product: 'whatsapp',
              details: fault.details ?? DETAILS[fault.code] ?? title,
            },
          }),
      fbtrace_id: fbtraceId(),
    },
  };
}

/** A webhook `errors[]` entry for a code, as statuses carry them. */
export function webhookError(code: number) {
  const title = TITLES[code] ?? 'Error';
  return {
    code,
    title,
    message: title,
    error_data: { details: DETAILS[code] ?? title },
    href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
  };
}

export function graphError(fault: GraphFault): Response {
  const headers = new Headers();
  if (defaultStatus(fault.code) === 401) {
    headers.set('www-authenticate', 'OAuth "Facebook Platform" "invalid_token"');
  }
  return Response.json(errorBody(fault), {
    status: fault.status ?? defaultStatus(fault.code),
    headers,
  });
}
