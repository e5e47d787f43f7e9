import type { Clock } from '../clock.ts';

interface Entry<V> {
  value: V;
  checkedAt: number;
}

/**
 * Remembers the answer of a lookup (a database read) per key for `ttlMs`, so a change in the
 * database reaches callers within that time without a round trip on every request.
 *
 * Off the hot path, as `SessionCache` is: an answer older than half the TTL is still served
 * while one background lookup refreshes it, so a key in steady use never waits; only an
 * answer older than the TTL (or none) is awaited. Concurrent reads of one key share a single
 * lookup, and a lookup that fails is not remembered.
 *
 * @example
 * const grants = new RefreshingCache({ clock, lookup: (userId) => loadGrants(userId) });
 * const { permissions } = await grants.get(userId);
 */
export class RefreshingCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly pending = new Map<string, Promise<V>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly clock: Clock;
  private readonly lookup: (key: string) => Promise<V>;

  constructor(opts: {
    lookup: (key: string) => Promise<V>;
    clock: Clock;
    ttlMs?: number;
    maxEntries?: number;
  }) {
    this.lookup = opts.lookup;
    this.clock = opts.clock;
    this.ttlMs = opts.ttlMs ?? 10_000;
    this.maxEntries = opts.maxEntries ?? 10_000;
  }

  /** The answer for `key`, at most `ttlMs` old. */
  async get(key: string): Promise<V> {
    const hit = this.entries.get(key);
    const age = hit ? this.clock.now() - hit.checkedAt : Number.POSITIVE_INFINITY;
    if (hit && age < this.ttlMs) {
      // A failed background refresh leaves the entry to expire on its own.
      if (age >= this.ttlMs / 2) this.refresh(key).catch(() => {});
      return hit.value;
    }
    return this.refresh(key);
  }

  /**
   * Forget `key` at once (this instance changed what it depends on). A lookup already under
   * way may have read the old state, so its answer is not kept either.
   */
  forget(key: string): void {
    this.entries.delete(key);
    this.pending.delete(key);
  }

  /** Forget everything (a change whose keys cannot be listed). */
  clear(): void {
    this.entries.clear();
    this.pending.clear();
  }

  private refresh(key: string): Promise<V> {
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    const startedAt = this.clock.now();
    const lookup: Promise<V> = this.lookup(key).then(
      (value) => {
        if (this.pending.get(key) === lookup) {
          this.pending.delete(key);
          this.remember(key, { value, checkedAt: startedAt });
        }
        return value;
      },
      (err: unknown) => {
        if (this.pending.get(key) === lookup) this.pending.delete(key);
        throw err;
      },
    );
    this.pending.set(key, lookup);
    return lookup;
  }

  private remember(key: string, entry: Entry<V>): void {
    // Map keeps insertion order: dropping the first key evicts the least recently checked.
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries)
      this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, entry);
  }
}
