/** Why a chat completion failed. */
export type LlmErrorKind = 'http' | 'timeout' | 'network' | 'aborted' | 'protocol';

/**
 * A failed chat completion, after any retries. `retryable` says whether the last failure
 * was of a kind that is retried (429, 5xx, network, timeout); `attempts` how many were made.
 */
export class LlmError extends Error {
  override name = 'LlmError';
  readonly kind: LlmErrorKind;
  readonly status?: number;
  /** The provider's error `code` and `type` (`rate_limit_exceeded`, `invalid_request_error`). */
  readonly code?: string | null;
  readonly type?: string;
  readonly retryable: boolean;
  attempts = 1;
  /** For a 429: how long the server asked to wait (Retry-After), when it said. */
  retryAfterMs?: number;

  constructor(
    kind: LlmErrorKind,
    message: string,
    opts: {
      status?: number;
      code?: string | null;
      type?: string;
      retryable?: boolean;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: opts.cause });
    this.kind = kind;
    this.status = opts.status;
    this.code = opts.code;
    this.type = opts.type;
    this.retryable = opts.retryable ?? false;
  }
}

/** The provider's error body (`{"error": {"message", "type", "code"}}`) or a plain text one. */
export function errorFromResponse(status: number, text: string): LlmError {
  let message = text.slice(0, 500) || `HTTP ${status}`;
  let code: string | null | undefined;
  let type: string | undefined;
  try {
    const body = JSON.parse(text) as {
      error?: { message?: string; code?: string | null; type?: string } | string;
    };
    const e = body.error;
    if (typeof e === 'string') message = e;
    else if (e) {
      message = e.message ?? message;
      code = e.code ?? null;
      type = e.type;
    }
  } catch {
    // Not JSON (a proxy's HTML page): keep the start of the text.
  }
  const retryable = status === 429 || status >= 500;
  return new LlmError('http', `LLM API ${status}: ${message}`, { status, code, type, retryable });
}
