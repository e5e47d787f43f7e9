import type { Clock } from '../../shared/clock.ts';

/**
 * A clock a test moves by hand. It starts at the real time (tokens and rows made with it
 * stay plausible to code that still reads the system clock) and never moves on its own.
 *
 * @example
 * const clock = new ManualClock();
 * clock.advance(61_000); // a minute later, at once
 */
export class ManualClock implements Clock {
  private at: number;

  constructor(start = Date.now()) {
    this.at = start;
  }

  now(): number {
    return this.at;
  }

  advance(ms: number): void {
    this.at += ms;
  }

  set(ms: number): void {
    this.at = ms;
  }
}

/**
 * A clock that runs with the machine's, and that a test can move ahead: for code whose
 * timers run in real time (heartbeats) while a test jumps to a token's expiry.
 *
 * @example
 * const clock = new OffsetClock();
 * clock.jumpTo(exp * 1000); // now it is the token's expiry, and time keeps running
 */
export class OffsetClock implements Clock {
  private offset = 0;

  now(): number {
    return Date.now() + this.offset;
  }

  jumpTo(ms: number): void {
    this.offset = ms - Date.now();
  }

  reset(): void {
    this.offset = 0;
  }
}
