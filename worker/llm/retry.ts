import type { Clock } from '../../shared/clock.ts';

/**
 * Exponential backoff with jitter for retry `attempt` (1 for the first retry):
 * `initialMs · 2^(attempt-1)`, capped at `maxMs`, minus up to a quarter at random so that
 * many clients hit by one outage do not come back in step.
 */
export function backoffDelay(
  attempt: number,
  backoff: { initialMs: number; maxMs: number },
  random: () => number,
): number {
  const base = Math.min(backoff.initialMs * 2 ** (attempt - 1), backoff.maxMs);
  return Math.round(base * (1 - random() * 0.25));
}

/**
 * How long a 429 asks the client to wait: `retry-after-ms`, or `Retry-After` in seconds or
 * as an HTTP date (measured against `clock`). Capped at `maxMs`; `undefined` when absent or
 * unreadable, so the caller backs off on its own.
 */
export function retryAfterMs(headers: Headers, clock: Clock, maxMs: number): number | undefined {
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.has('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return Math.min(ms, maxMs);
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.min(Number(value) * 1000, maxMs);
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - clock.now()), maxMs);
}

/** Waits `ms`, or rejects as soon as `signal` aborts. */
export function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((done, fail) => {
    if (signal?.aborted) return fail(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      done();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      fail(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
