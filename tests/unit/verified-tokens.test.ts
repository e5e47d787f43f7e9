import { describe, expect, it } from 'vitest';
import { cachedVerifier } from '../../shared/auth/verified-tokens.ts';
import type { TokenClaims } from '../../shared/auth/verifier.ts';
import { ManualClock } from '../helpers/clock.ts';

describe('cachedVerifier', () => {
  const clock = new ManualClock(Date.parse('2026-06-01T00:00:00Z'));
  const exp = Math.floor(clock.now() / 1000) + 60;

  function counting(result: (token: string) => TokenClaims) {
    const calls: string[] = [];
    return {
      calls,
      verify: async (token: string) => {
        calls.push(token);
        return result(token);
      },
    };
  }

  it('checks a token once and trusts the answer until its exp, never after', async () => {
    const inner = counting(() => ({ sub: 'u1', exp }));
    const verify = cachedVerifier(inner.verify, { clock });
    expect((await verify('t1')).sub).toBe('u1');
    expect((await verify('t1')).sub).toBe('u1');
    expect(inner.calls).toEqual(['t1']);
    clock.advance(60_000);
    await verify('t1');
    expect(inner.calls).toEqual(['t1', 't1']);
  });

  it('never remembers a failure', async () => {
    let valid = false;
    const inner = counting(() => {
      if (!valid) throw new Error('bad signature');
      return { sub: 'u1', exp: exp + 3600 };
    });
    const verify = cachedVerifier(inner.verify, { clock });
    await expect(verify('t2')).rejects.toThrow('bad signature');
    valid = true;
    expect((await verify('t2')).sub).toBe('u1');
    expect(inner.calls).toHaveLength(2);
  });

  it('stays within its bound', async () => {
    const inner = counting((token) => ({ sub: token, exp: exp + 3600 }));
    const verify = cachedVerifier(inner.verify, { clock, maxEntries: 2 });
    await verify('a');
    await verify('b');
    await verify('c');
    await verify('a');
    expect(inner.calls).toEqual(['a', 'b', 'c', 'a']);
  });
});
