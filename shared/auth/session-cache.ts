/**
 * Remembers whether a session is still active for a few seconds, so a revoked session's
 * tokens are refused within `ttlMs` without a database round trip on every request.
 */
export class SessionCache {
  private readonly entries = new Map<string, { active: boolean; until: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly lookup: (sessionId: string) => Promise<boolean>;

  constructor(opts: {
    lookup: (sessionId: string) => Promise<boolean>;
    ttlMs?: number;
    maxEntries?: number;
  }) {
    this.lookup = opts.lookup;
    this.ttlMs = opts.ttlMs ?? 10_000;
    this.maxEntries = opts.maxEntries ?? 10_000;
  }

  async isActive(sessionId: string, now = Date.now()): Promise<boolean> {
    const hit = this.entries.get(sessionId);
    if (hit && hit.until > now) return hit.active;
    const active = await this.lookup(sessionId);
    // Map keeps insertion order: dropping the first key evicts the oldest entry.
    if (this.entries.size >= this.maxEntries)
      this.entries.delete(this.entries.keys().next().value as string);
    this.entries.delete(sessionId);
    this.entries.set(sessionId, { active, until: now + this.ttlMs });
    return active;
  }

  /** Forget a session at once (this instance revoked it). */
  forget(sessionId: string): void {
    this.entries.delete(sessionId);
  }
}
