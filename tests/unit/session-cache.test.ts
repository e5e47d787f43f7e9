import { describe, expect, it } from 'vitest';
import { SessionCache } from '../../shared/auth/session-cache.ts';

describe('SessionCache', () => {
  it('asks once per TTL, then asks again, so revocation shows within the TTL', async () => {
    let active = true;
    let lookups = 0;
    const cache = new SessionCache({
      ttlMs: 10_000,
      lookup: async () => {
        lookups += 1;
        return active;
      },
    });
    const t0 = 1_000_000;
    expect(await cache.isActive('s1', t0)).toBe(true);
    active = false;
    expect(await cache.isActive('s1', t0 + 9_999)).toBe(true);
    expect(lookups).toBe(1);
    expect(await cache.isActive('s1', t0 + 10_000)).toBe(false);
    expect(lookups).toBe(2);
  });

  it('forgets a session on demand and stays bounded', async () => {
    const cache = new SessionCache({ maxEntries: 2, lookup: async (id) => id !== 'gone' });
    await cache.isActive('a');
    await cache.isActive('b');
    await cache.isActive('c');
    expect((cache as unknown as { entries: Map<string, unknown> }).entries.size).toBe(2);
    cache.forget('c');
    expect((cache as unknown as { entries: Map<string, unknown> }).entries.has('c')).toBe(false);
  });
});
