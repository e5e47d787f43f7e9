import { describe, expect, it } from 'vitest';
import { RefreshingCache } from '../../shared/auth/refreshing-cache.ts';
import { ManualClock } from '../helpers/clock.ts';

/** A lookup whose answer, timing and call count the test controls. */
function controlled(initial: string) {
  const state = { value: initial, calls: 0, gate: Promise.resolve() };
  const lookup = async () => {
    state.calls += 1;
    const value = state.value;
    await state.gate;
    return value;
  };
  return { state, lookup };
}

describe('RefreshingCache', () => {
  it('answers from memory for the TTL, refreshing ahead after half of it', async () => {
    const clock = new ManualClock();
    const { state, lookup } = controlled('a');
    const cache = new RefreshingCache({ clock, ttlMs: 10_000, lookup });
    expect(await cache.get('k')).toBe('a');
    state.value = 'b';
    clock.advance(4_999);
    expect(await cache.get('k')).toBe('a');
    expect(state.calls).toBe(1);
    clock.advance(1);
    // Half the TTL: the old answer at once, a refresh behind it.
    expect(await cache.get('k')).toBe('a');
    await Promise.resolve();
    expect(await cache.get('k')).toBe('b');
    expect(state.calls).toBe(2);
    clock.advance(10_000);
    state.value = 'c';
    expect(await cache.get('k')).toBe('c');
  });

  it('shares one lookup among concurrent reads, and keeps no failure', async () => {
    const clock = new ManualClock();
    let calls = 0;
    let fail = true;
    const cache = new RefreshingCache<number>({
      clock,
      lookup: async () => {
        calls += 1;
        if (fail) throw new Error('database down');
        return calls;
      },
    });
    await expect(Promise.all([cache.get('k'), cache.get('k')])).rejects.toThrow('database down');
    expect(calls).toBe(1);
    fail = false;
    expect(await cache.get('k')).toBe(2);
  });

  it('does not keep the answer of a lookup that was under way when the key was forgotten', async () => {
    const clock = new ManualClock();
    const { state, lookup } = controlled('before');
    const cache = new RefreshingCache({ clock, lookup });
    let release = () => {};
    state.gate = new Promise((r) => {
      release = r;
    });
    const inFlight = cache.get('k');
    // The change happens, and this instance forgets, while the old read is still running.
    state.value = 'after';
    cache.forget('k');
    release();
    expect(await inFlight).toBe('before');
    state.gate = Promise.resolve();
    expect(await cache.get('k')).toBe('after');
    expect(state.calls).toBe(2);
  });

  it('stays bounded, evicting the least recently checked', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const cache = new RefreshingCache({
      clock,
      maxEntries: 2,
      lookup: async (key) => {
        calls += 1;
        return key;
      },
    });
    await cache.get('a');
    await cache.get('b');
    await cache.get('c');
    expect(calls).toBe(3);
    await cache.get('c');
    await cache.get('b');
    expect(calls).toBe(3);
    await cache.get('a');
    expect(calls).toBe(4);
  });
});
