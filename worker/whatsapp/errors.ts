import {
  type GraphErrorBody,
  GraphErrorCode,
  RETRYABLE_GRAPH_ERROR_CODES,
} from '../../shared/whatsapp/graph-types.ts';
import type { WebhookStatus } from '../../shared/whatsapp/webhook.ts';

/** Whether an answer is worth another try: 429, 5xx, or one of Meta's throttling codes. */
export function isRetryable(httpStatus: number | null, code: number | null): boolean {
  if (code !== null && RETRYABLE_GRAPH_ERROR_CODES.has(code)) return true;
  return httpStatus === 429 || (httpStatus !== null && httpStatus >= 500);
}

/**
 * An error Meta reported, with its code: answered by the Graph API (`httpStatus` set), or
 * reported later in a `failed` status webhook (`httpStatus` null), as 131047 is when free
 * text goes out after the 24-hour window.
 */
export class GraphApiError extends Error {
  override name = 'GraphApiError';
  readonly code: number;
  readonly subcode: number | null;
  readonly type: string | null;
  readonly details: string | null;
  readonly fbtraceId: string | null;
  readonly httpStatus: number | null;
  readonly retryable: boolean;
  /** Attempts made before giving up (1 for an error that was not retried). */
  attempts = 1;

  constructor(init: {
    message: string;
    code: number;
    httpStatus: number | null;
    subcode?: number | null;
    type?: string | null;
    details?: string | null;
    fbtraceId?: string | null;
  }) {
    super(
      `${init.message} (code ${init.code}${init.httpStatus ? `, HTTP ${init.httpStatus}` : ''})`,
    );
    this.code = init.code;
    this.httpStatus = init.httpStatus;
    this.subcode = init.subcode ?? null;
    this.type = init.type ?? null;
    this.details = init.details ?? null;
    this.fbtraceId = init.fbtraceId ?? null;
    this.retryable = isRetryable(init.httpStatus, init.code);
  }

  /** The free-form message was refused for the closed customer service window. */
  get isReEngagement(): boolean {
    return this.code === GraphErrorCode.ReEngagement;
  }

  static fromBody(httpStatus: number, body: GraphErrorBody): GraphApiError {
    const e = body.error;
    return new GraphApiError({
      message: e.message,
      code: e.code,
      httpStatus,
      subcode: e.error_subcode,
      type: e.type,
      details: e.error_data?.details,
      fbtraceId: e.fbtrace_id,
    });
  }
}

/**
 * The error of a `failed` status webhook, typed like a refused call; null for other statuses.
 *
 * @example
 * const error = graphErrorFromStatus(item.payload);
 * if (error?.isReEngagement) markNeedsTemplate(item.messageId);
 */
export function graphErrorFromStatus(status: WebhookStatus): GraphApiError | null {
  if (status.status !== 'failed') return null;
  const first = status.errors?.[0];
  return new GraphApiError({
    message: first?.title ?? first?.message ?? 'Message failed',
    code: first?.code ?? GraphErrorCode.SomethingWentWrong,
    httpStatus: null,
    details: first?.error_data?.details,
  });
}

/** No usable answer: the network failed, the attempt timed out, or the body made no sense. */
export class GraphTransportError extends Error {
  override name = 'GraphTransportError';
  readonly httpStatus: number | null;
  readonly retryable: boolean;
  attempts = 1;

  constructor(
    message: string,
    opts: { httpStatus?: number | null; retryable: boolean; cause?: unknown },
  ) {
    super(message, { cause: opts.cause });
    this.httpStatus = opts.httpStatus ?? null;
    this.retryable = opts.retryable;
  }
}
