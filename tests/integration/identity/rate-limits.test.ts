import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Pool } from '../../../shared/db/client.ts';
import { asService, asUser } from '../../../shared/db/doors.ts';
import { hitRateLimit } from '../../../shared/identity/rate-limits.ts';
import { ManualClock } from '../../helpers/clock.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { claimsOf, createAuthUser, pgError } from './fixtures.ts';

const db = useTestDatabase();
const clock = new ManualClock();
const hit = (key: string, limit: number, windowSeconds: number, sql: Pool = db.sql) =>
  asService(sql, (tx) => hitRateLimit(tx, key, limit, windowSeconds, new Date(clock.now())));

describe('fixed-window rate limit', () => {
  it('allows `limit` hits per window, then refuses until the window resets', async () => {
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await hit('t:window', 3, 60));
    expect(results.map((r) => [r.allowed, r.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    const first = results[0]!.resetAt.getTime();
    expect(first - clock.now()).toBe(60_000);
    for (const r of results) expect(r.resetAt.getTime()).toBe(first);

    // One millisecond before the window ends it still refuses; at its end the count starts over.
    clock.advance(59_999);
    expect((await hit('t:window', 3, 60)).allowed).toBe(false);
    clock.advance(1);
    const next = await hit('t:window', 3, 60);
    expect(next).toMatchObject({ allowed: true, remaining: 2 });
    expect(next.resetAt.getTime() - clock.now()).toBe(60_000);
    const [rows] =
      await db.sql`select count(*)::int as n from private.rate_limits where key = 't:window'`;
    expect(rows?.n).toBe(1);
  });

  it('keeps keys apart', async () => {
    await hit('t:a', 1, 60);
    expect((await hit('t:a', 1, 60)).allowed).toBe(false);
    expect((await hit('t:b', 1, 60)).allowed).toBe(true);
  });

  describe('under concurrency', () => {
    let wide: Pool;
    beforeAll(() => {
      wide = createDb(db.url, { max: 20, name: 'rate-limit-race' });
    });
    afterAll(() => wide.end());

    it('allows exactly `limit` of 20 simultaneous hits', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, () => hit('t:race', 5, 60, wide)),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(5);
      expect(results.map((r) => r.remaining).sort((a, b) => b - a)).toEqual([
        4,
        3,
        2,
        1,
        0,
        ...Array(15).fill(0),
      ]);
    });
  });

  it('rejects nonsense limits', async () => {
    expect(await pgError(() => hit('t:bad', 0, 60))).toBe('22023');
  });

  it('is closed to authenticated and anon, directly or through the functions', async () => {
    const id = await createAuthUser(db.sql);
    for (const role of ['authenticated', 'anon'] as const) {
      const as = (q: string) => () =>
        asUser(db.sql, { ...claimsOf(id), role }, (tx) => tx.unsafe(q));
      expect(await pgError(as("select * from private.rate_limit_hit('x', 1, 1, now())"))).toBe(
        '42501',
      );
      expect(await pgError(as('select * from private.rate_limits'))).toBe('42501');
    }
    expect(
      await pgError(() => asService(db.sql, (tx) => tx`select * from private.rate_limits`)),
    ).toBe('42501');
  });
});
