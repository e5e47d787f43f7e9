import { describe, expect, it } from 'vitest';
import { SessionCache } from '../../shared/auth/session-cache.ts';
import { ManualClock } from '../helpers/clock.ts';

/** A lookup whose answer and call count the test controls. */
function fakeLookup(initial = true) {
  const state = { active: initial, calls: 0, gate: Promise.resolve() };
  const lookup = async () => {
    state.calls += 1;
    await state.gate;
    return state.active;
  };
  return { state, lookup };
}

describe('SessionCache', () => {
  it('answers from memory for the TTL, so a revocation shows within it', async () => {
    const clock = new ManualClock();
    const { state, lookup } = fakeLookup();
    const cache = new SessionCache({ clock, ttlMs: 10_000, lookup });
    expect(await cache.isActive('s1')).toBe(true);
    state.active = false;
    clock.advance(4_999);
    expect(await cache.isActive('s1')).toBe(true);
    expect(state.calls).toBe(1);
    clock.advance(5_001);
    expect(await cache.isActive('s1')).toBe(false);
    expect(state.calls).toBe(2);
  });

  it('refreshes an ageing answer in the background without making the request wait', async () => {
    const clock = new ManualClock();
    const { state, lookup } = fakeLookup();
    const cache = new SessionCache({ clock, ttlMs: 10_000, lookup });
    await cache.isActive('s1');
    state.active = false;
    let release = () => {};
    state.gate = new Promise((r) => {
      release = r;
    });
    clock.advance(6_000);
    // Past half the TTL: the cached answer comes back at once while a check runs.
    expect(await cache.isActive('s1')).toBe(true);
    expect(state.calls).toBe(2);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(await cache.isActive('s1')).toBe(false);
    expect(state.calls).toBe(2);
  });

  it('shares one lookup among concurrent checks of a session', async () => {
    const clock = new ManualClock();
    const { state, lookup } = fakeLookup();
    const cache = new SessionCache({ clock, lookup });
    const answers = await Promise.all(Array.from({ length: 50 }, () => cache.isActive('s1')));
    expect(answers).toEqual(Array(50).fill(true));
    expect(state.calls).toBe(1);
  });

  it('forgets a session on demand and stays bounded', async () => {
    const clock = new ManualClock();
    const { state, lookup } = fakeLookup();
    const cache = new SessionCache({ clock, maxEntries: 2, lookup });
    await cache.isActive('a');
    await cache.isActive('b');
    await cache.isActive('c');
    expect(state.calls).toBe(3);
    // `a` was evicted (oldest), `b` and `c` are still remembered.
    await cache.isActive('b');
    await cache.isActive('c');
    expect(state.calls).toBe(3);
    await cache.isActive('a');
    expect(state.calls).toBe(4);
    cache.forget('a');
    await cache.isActive('a');
    expect(state.calls).toBe(5);
  });
});
