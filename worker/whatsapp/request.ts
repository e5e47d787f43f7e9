import type { Clock } from '../../shared/clock.ts';
import { graphErrorBodySchema } from '../../shared/whatsapp/graph-types.ts';
import { GraphApiError, GraphTransportError, isRetryable } from './errors.ts';
import { backoffDelay, type RetryPolicy, retryAfterMs } from './retry.ts';

export type GraphOperation =
  | 'send_message'
  | 'mark_read'
  | 'upload_media'
  | 'get_media'
  | 'download_media';

/** One attempt of a Graph call, reported so the caller can record it. */
export interface GraphAttempt {
  operation: GraphOperation;
  /** 1 for the first try. */
  attempt: number;
  /** The HTTP status, or null when no answer came (network error, timeout, abort). */
  status: number | null;
  /** Meta's error code, when the answer was a Graph error. */
  errorCode: number | null;
  /** Measured with the client's clock. */
  durationMs: number;
  /** The pause before the next attempt, or null when this was the last one. */
  retryInMs: number | null;
  /** Why the attempt failed, without secrets; absent on success. */
  error?: string;
}

export interface RequestContext {
  fetch: typeof fetch;
  clock: Clock;
  policy: RetryPolicy;
  random: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  timeoutMs: number;
  signal?: AbortSignal;
  onAttempt: (attempt: GraphAttempt) => void;
}

type Failure = GraphApiError | GraphTransportError;

/**
 * Runs one Graph call with retries: a new request from `build` each attempt (bodies cannot
 * be sent twice), `read` to turn a 2xx into the result. Retries 429, 5xx, Meta's throttling
 * codes and network errors with backoff; anything else fails at once. Note that a send that
 * times out may have reached Meta: retrying it can deliver the message twice, which Meta
 * offers no idempotency key to prevent.
 */
export async function withRetries<T>(
  ctx: RequestContext,
  operation: GraphOperation,
  build: () => { url: string; init: RequestInit },
  read: (res: Response) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    ctx.signal?.throwIfAborted();
    const started = ctx.clock.now();
    const { url, init } = build();
    const signals = [AbortSignal.timeout(ctx.timeoutMs), ...(ctx.signal ? [ctx.signal] : [])];
    let failure: Failure;
    let status: number | null = null;
    let retryAfter: number | null = null;
    try {
      const res = await ctx.fetch(url, { ...init, signal: AbortSignal.any(signals) });
      status = res.status;
      if (res.ok) {
        const result = await read(res).catch((err: unknown) => {
          if (err instanceof GraphTransportError || ctx.signal?.aborted) throw err;
          // Meta did what was asked but answered oddly: trying again could send twice.
          throw new GraphTransportError(`unexpected Graph API answer: ${describe(err)}`, {
            httpStatus: res.status,
            retryable: false,
            cause: err,
          });
        });
        ctx.onAttempt(report(operation, attempt, status, null, ctx.clock.now() - started));
        return result;
      }
      retryAfter = retryAfterMs(res.headers.get('retry-after'));
      failure = await errorOf(res);
    } catch (err) {
      if (ctx.signal?.aborted) {
        ctx.onAttempt({
          ...report(operation, attempt, status, null, ctx.clock.now() - started),
          error: 'aborted',
        });
        throw ctx.signal.reason;
      }
      failure =
        err instanceof GraphApiError || err instanceof GraphTransportError
          ? err
          : new GraphTransportError(`Graph API unreachable: ${describe(err)}`, {
              httpStatus: status,
              retryable: true,
              cause: err,
            });
    }
    const code = failure instanceof GraphApiError ? failure.code : null;
    const last = !failure.retryable || attempt >= ctx.policy.maxAttempts;
    const delay = last ? null : backoffDelay(attempt, ctx.policy, ctx.random, retryAfter);
    ctx.onAttempt({
      ...report(operation, attempt, status, code, ctx.clock.now() - started, delay),
      error: failure.message,
    });
    if (delay === null) {
      failure.attempts = attempt;
      throw failure;
    }
    await ctx.sleep(delay, ctx.signal);
  }
}

function report(
  operation: GraphOperation,
  attempt: number,
  status: number | null,
  errorCode: number | null,
  durationMs: number,
  retryInMs: number | null = null,
): GraphAttempt {
  return { operation, attempt, status, errorCode, durationMs, retryInMs };
}

/** A Graph error body becomes a GraphApiError; anything else (an HTML 502…) a transport error. */
async function errorOf(res: Response): Promise<Failure> {
  const text = await res.text().catch(() => '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const body = graphErrorBodySchema.safeParse(json);
  if (body.success) return GraphApiError.fromBody(res.status, body.data);
  return new GraphTransportError(`Graph API answered HTTP ${res.status} without an error body`, {
    httpStatus: res.status,
    retryable: isRetryable(res.status, null),
  });
}

function describe(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return 'the attempt timed out';
  return err instanceof Error ? err.message : String(err);
}
