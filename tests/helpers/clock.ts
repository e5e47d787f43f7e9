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
