import type { Clock } from '../clock.ts';

interface Entry {
  active: boolean;
  checkedAt: number;
}

/**
 * Remembers whether a session is still active, so a revoked session's tokens are refused
 * within `ttlMs` without a database round trip on every request.
 *
 * Off the hot path: an answer older than half the TTL is still served while one background
 * check refreshes it, so a session in steady use never waits on the database; only an
 * answer older than the TTL (or none) is awaited. Concurrent checks of one session share a
 * single lookup.
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<boolean>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly clock: Clock;
  private readonly lookup: (sessionId: string) => Promise<boolean>;

  constructor(opts: {
    lookup: (sessionId: string) => Promise<boolean>;
    clock: Clock;
    ttlMs?: number;
    maxEntries?: number;
  }) {
    this.lookup = opts.lookup;
    this.clock = opts.clock;
    this.ttlMs = opts.ttlMs ?? 10_000;
    this.maxEntries = opts.maxEntries ?? 10_000;
  }

  async isActive(sessionId: string): Promise<boolean> {
    const hit = this.entries.get(sessionId);
    const age = hit ? this.clock.now() - hit.checkedAt : Number.POSITIVE_INFINITY;
    if (hit && age < this.ttlMs) {
      // A failed background check leaves the entry to expire on its own.
      if (age >= this.ttlMs / 2) this.check(sessionId).catch(() => {});
      return hit.active;
    }
    return this.check(sessionId);
  }

  /** Forget a session at once (this instance revoked it). */
  forget(sessionId: string): void {
    this.entries.delete(sessionId);
  }

  private check(sessionId: string): Promise<boolean> {
    const inFlight = this.pending.get(sessionId);
    if (inFlight) return inFlight;
    const startedAt = this.clock.now();
    const lookup = this.lookup(sessionId)
      .then((active) => {
        this.remember(sessionId, { active, checkedAt: startedAt });
        return active;
      })
      .finally(() => this.pending.delete(sessionId));
    this.pending.set(sessionId, lookup);
    return lookup;
  }

  private remember(sessionId: string, entry: Entry): void {
    // Map keeps insertion order: dropping the first key evicts the least recently checked.
    this.entries.delete(sessionId);
    if (this.entries.size >= this.maxEntries)
      this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(sessionId, entry);
  }
}
