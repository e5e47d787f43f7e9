/**
 * Where time comes from. Everything that decides by time (limits, locks, expiries, caches)
 * takes a Clock instead of reading `Date.now()`, so tests move time instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The machine's clock; what every entry point passes in production. */
export const systemClock: Clock = { now: () => Date.now() };

/** Whole seconds since the epoch, as JWT `iat`/`exp` count them. */
export const epochSeconds = (clock: Clock): number => Math.floor(clock.now() / 1000);
