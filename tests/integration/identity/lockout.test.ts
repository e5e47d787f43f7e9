import { describe, expect, it } from 'vitest';
import { asService, asUser } from '../../../shared/db/doors.ts';
import {
  clearLoginFailures,
  type LockoutPolicy,
  loginLockedUntil,
  recordLoginFailure,
} from '../../../shared/identity/lockout.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { claimsOf, createAuthUser, pgError } from './fixtures.ts';

const db = useTestDatabase();
const policy: LockoutPolicy = { threshold: 3, baseSeconds: 60, maxSeconds: 300 };
const svc = <T>(fn: Parameters<typeof asService<T>>[1]) => asService(db.sql, fn);

/** Seconds from now until `d`, rounded. */
const secondsUntil = (d: Date | null) => (d ? Math.round((d.getTime() - Date.now()) / 1000) : null);

describe('login lockout', () => {
  it('locks after the threshold, doubling up to the cap', async () => {
    const locks = [];
    for (let i = 0; i < 6; i++) {
      locks.push(
        secondsUntil(
          await svc((tx) => recordLoginFailure(tx, 'Ada@Example.com', '203.0.113.7', policy)),
        ),
      );
    }
    expect(locks).toEqual([null, null, 60, 120, 240, 300]);
    const until = await svc((tx) => loginLockedUntil(tx, 'ada@example.com', '203.0.113.7'));
    expect(secondsUntil(until)).toBe(300);
  });

  it('locks the account only from the address that failed', async () => {
    for (let i = 0; i < 3; i++)
      await svc((tx) => recordLoginFailure(tx, 'bob', '198.51.100.1', policy));
    expect(await svc((tx) => loginLockedUntil(tx, 'bob', '198.51.100.1'))).toBeInstanceOf(Date);
    expect(await svc((tx) => loginLockedUntil(tx, 'bob', '198.51.100.2'))).toBeNull();
  });

  it('releases when the lock has passed, and keeps escalating on the next failure', async () => {
    for (let i = 0; i < 3; i++)
      await svc((tx) => recordLoginFailure(tx, 'carol', '192.0.2.1', policy));
    await db.sql`update private.login_failures set locked_until = now() - interval '1 second'
                  where account = 'carol'`;
    expect(await svc((tx) => loginLockedUntil(tx, 'carol', '192.0.2.1'))).toBeNull();
    const again = await svc((tx) => recordLoginFailure(tx, 'carol', '192.0.2.1', policy));
    expect(secondsUntil(again)).toBe(120);
  });

  it('forgets failures older than a day', async () => {
    for (let i = 0; i < 3; i++)
      await svc((tx) => recordLoginFailure(tx, 'dan', '192.0.2.2', policy));
    await db.sql`update private.login_failures
                    set last_failed_at = now() - interval '25 hours', locked_until = now() - interval '24 hours'
                  where account = 'dan'`;
    expect(await svc((tx) => recordLoginFailure(tx, 'dan', '192.0.2.2', policy))).toBeNull();
  });

  it('clears everything on a successful login', async () => {
    for (let i = 0; i < 4; i++)
      await svc((tx) => recordLoginFailure(tx, 'erin', '192.0.2.3', policy));
    await svc((tx) => clearLoginFailures(tx, 'ERIN', '192.0.2.3'));
    expect(await svc((tx) => loginLockedUntil(tx, 'erin', '192.0.2.3'))).toBeNull();
    expect(await svc((tx) => recordLoginFailure(tx, 'erin', '192.0.2.3', policy))).toBeNull();
  });

  it('cannot be reset or read by a user', async () => {
    const id = await createAuthUser(db.sql);
    const as = (q: string) => () => asUser(db.sql, claimsOf(id), (tx) => tx.unsafe(q));
    expect(await pgError(as("select private.login_success('ada', '1.2.3.4')"))).toBe('42501');
    expect(await pgError(as("select private.login_locked_until('ada', '1.2.3.4')"))).toBe('42501');
    expect(await pgError(as('select * from private.login_failures'))).toBe('42501');
  });
});
