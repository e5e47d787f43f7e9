import type { Clock } from '../../../shared/clock.ts';

/**
 * Counts events in fixed windows of `windowMs` by `clock`: O(1) memory whatever the traffic,
 * so a client flooding the socket costs a counter, not a queue.
 *
 * @example
 * const perSecond = new WindowCounter(clock, 1000, 100);
 * if (!perSecond.hit()) refuse();
 */
export class WindowCounter {
  private window = -1;
  private count = 0;

  private readonly clock: Clock;
  private readonly windowMs: number;
  private readonly limit: number;

  constructor(clock: Clock, windowMs: number, limit: number) {
    this.clock = clock;
    this.windowMs = windowMs;
    this.limit = limit;
  }

  /** Counts one event; false when it is past the limit for the current window. */
  hit(n = 1): boolean {
    this.roll();
    this.count += n;
    return this.count <= this.limit;
  }

  /** True when the current window has already reached its limit. */
  full(): boolean {
    this.roll();
    return this.count >= this.limit;
  }

  private roll() {
    const window = Math.floor(this.clock.now() / this.windowMs);
    if (window !== this.window) {
      this.window = window;
      this.count = 0;
    }
  }
}

/**
 * Realtime's client presence limit: a window opens on the first call and allows `max` calls
 * until it ends.
 */
export class SlidingStart {
  private resetAt: number | undefined;
  private count = 0;

  private readonly clock: Clock;
  private readonly windowMs: number;
  private readonly max: number;

  constructor(clock: Clock, windowMs: number, max: number) {
    this.clock = clock;
    this.windowMs = windowMs;
    this.max = max;
  }

  hit(): boolean {
    const now = this.clock.now();
    if (this.resetAt === undefined || now > this.resetAt) {
      this.resetAt = now + this.windowMs;
      this.count = 1;
      return true;
    }
    if (this.count >= this.max) return false;
    this.count += 1;
    return true;
  }
}

/** Approximate size of a payload as Realtime weighs it, in bytes. */
export function payloadBytes(payload: unknown): number {
  if (Buffer.isBuffer(payload)) return payload.length;
  return Buffer.byteLength(JSON.stringify(payload ?? null));
}

/** Realtime's payload ceiling: the limit in kilobytes plus 500 bytes of padding. */
export const payloadLimit = (kb: number) => kb * 1000 + 500;
