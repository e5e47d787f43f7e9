import { describe, expect, it } from 'vitest';
import { asService, asUser } from '../../../shared/db/doors.ts';
import {
  clearLoginFailures,
  type LockoutPolicy,
  passwordHolds,
  recordLoginFailure,
} from '../../../shared/identity/lockout.ts';
import { ManualClock } from '../../helpers/clock.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { claimsOf, createAuthUser, pgError } from './fixtures.ts';

const db = useTestDatabase();
const policy: LockoutPolicy = { threshold: 3, baseSeconds: 60, maxSeconds: 300 };
const clock = new ManualClock();
const now = () => new Date(clock.now());
const svc = <T>(fn: Parameters<typeof asService<T>>[1]) => asService(db.sql, fn);
const fail = (account: string, ip: string) =>
  svc((tx) => recordLoginFailure(tx, account, ip, policy, now()));
const lockOf = async (account: string, ip: string) =>
  (await svc((tx) => passwordHolds(tx, account, ip, now()))).lock;

/** Seconds from the clock's now until `d`. */
const secondsUntil = (d: Date | null) =>
  d ? Math.round((d.getTime() - clock.now()) / 1000) : null;

describe('login lockout (per account and address)', () => {
  it('locks after the threshold, doubling up to the cap', async () => {
    const locks = [];
    for (let i = 0; i < 6; i++)
      locks.push(secondsUntil(await fail('Ada@Example.com', '203.0.113.7')));
    expect(locks).toEqual([null, null, 60, 120, 240, 300]);
    expect(secondsUntil(await lockOf('ada@example.com', '203.0.113.7'))).toBe(300);
  });

  it('locks the account only from the address that failed', async () => {
    for (let i = 0; i < 3; i++) await fail('bob', '198.51.100.1');
    expect(await lockOf('bob', '198.51.100.1')).toBeInstanceOf(Date);
    expect(await lockOf('bob', '198.51.100.2')).toBeNull();
  });

  it('releases when the lock has passed, and keeps escalating on the next failure', async () => {
    for (let i = 0; i < 3; i++) await fail('carol', '192.0.2.1');
    clock.advance(61_000);
    expect(await lockOf('carol', '192.0.2.1')).toBeNull();
    expect(secondsUntil(await fail('carol', '192.0.2.1'))).toBe(120);
  });

  it('forgets failures older than a day', async () => {
    for (let i = 0; i < 3; i++) await fail('dan', '192.0.2.2');
    clock.advance(25 * 3600_000);
    expect(await fail('dan', '192.0.2.2')).toBeNull();
  });

  it('clears everything on a successful login', async () => {
    for (let i = 0; i < 4; i++) await fail('erin', '192.0.2.3');
    await svc((tx) => clearLoginFailures(tx, 'ERIN', '192.0.2.3'));
    expect(await lockOf('erin', '192.0.2.3')).toBeNull();
    expect(await fail('erin', '192.0.2.3')).toBeNull();
  });

  it('cannot be reset or read by a user', async () => {
    const id = await createAuthUser(db.sql);
    const as = (q: string) => () => asUser(db.sql, claimsOf(id), (tx) => tx.unsafe(q));
    expect(await pgError(as("select private.login_success('ada', '1.2.3.4')"))).toBe('42501');
    expect(await pgError(as("select private.login_locked_until('ada', '1.2.3.4', now())"))).toBe(
      '42501',
    );
    expect(await pgError(as("select private.password_paused_until('ada', now())"))).toBe('42501');
    expect(await pgError(as('select * from private.login_failures'))).toBe('42501');
  });
});
