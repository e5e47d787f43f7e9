import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { asService, asUser } from '../../../shared/db/doors.ts';
import {
  isInsufficientPrivilege,
  listSessions,
  revokeOtherSessions,
  revokeSession,
  sessionActive,
} from '../../../shared/identity/sessions.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { claimsOf, createAuthUser, pgError } from './fixtures.ts';

const db = useTestDatabase();

/** A session with one refresh token, as GoTrue writes them at sign-in. */
async function createSession(userId: string, opts: { notAfter?: string } = {}) {
  const id = randomUUID();
  await db.sql`
    insert into auth.sessions (id, user_id, created_at, updated_at, refreshed_at, aal, user_agent, ip, not_after)
    values (${id}, ${userId}, now(), now(), now() at time zone 'UTC', 'aal1', 'vitest', '203.0.113.5',
            ${opts.notAfter ?? null})`;
  await db.sql`
    insert into auth.refresh_tokens (token, user_id, revoked, created_at, updated_at, session_id)
    values (${randomUUID()}, ${userId}, false, now(), now(), ${id})`;
  return id;
}

describe('sessions', () => {
  it('a user lists their own sessions, with no tokens in sight', async () => {
    const me = await createAuthUser(db.sql);
    const s1 = await createSession(me);
    const s2 = await createSession(me);
    const rows = await asUser(db.sql, claimsOf(me), (tx) => listSessions(tx, me));
    expect(rows.map((r) => r.id).sort()).toEqual([s1, s2].sort());
    expect(rows[0]).toMatchObject({
      userId: me,
      aal: 'aal1',
      userAgent: 'vitest',
      ip: '203.0.113.5',
    });
    expect(rows[0]?.refreshedAt).toBeInstanceOf(Date);
    expect(Math.abs(rows[0]!.refreshedAt!.getTime() - Date.now())).toBeLessThan(60_000);
    expect(Object.keys(rows[0]!).sort()).toEqual([
      'aal',
      'createdAt',
      'id',
      'ip',
      'notAfter',
      'refreshedAt',
      'updatedAt',
      'userAgent',
      'userId',
    ]);
  });

  it("refuses listing another user's sessions unless the caller has sessions:read", async () => {
    const me = await createAuthUser(db.sql);
    const other = await createAuthUser(db.sql);
    await createSession(other);
    const err = await asUser(db.sql, claimsOf(me), (tx) => listSessions(tx, other)).catch((e) => e);
    expect(isInsufficientPrivilege(err)).toBe(true);

    const reader = await createAuthUser(db.sql);
    const [role] =
      await db.sql`insert into public.roles (name) values ('session_viewer') returning id`;
    await db.sql`insert into public.role_permissions (role_id, permission_id)
                 select ${role?.id}, id from public.permissions where name = 'sessions:read'`;
    await db.sql`insert into public.user_roles (user_id, role_id) values (${reader}, ${role?.id})`;
    expect(await asUser(db.sql, claimsOf(reader), (tx) => listSessions(tx, other))).toHaveLength(1);
    expect(await asService(db.sql, (tx) => listSessions(tx, other))).toHaveLength(1);
    // sessions:read does not include revoking them.
    const [s] = await db.sql`select id from auth.sessions where user_id = ${other}`;
    expect(
      await pgError(() => asUser(db.sql, claimsOf(reader), (tx) => revokeSession(tx, s?.id))),
    ).toBe('42501');
  });

  it('a user revokes their own session; its refresh tokens go with it', async () => {
    const me = await createAuthUser(db.sql);
    const s = await createSession(me);
    expect(await asService(db.sql, (tx) => sessionActive(tx, s))).toBe(true);
    expect(await asUser(db.sql, claimsOf(me), (tx) => revokeSession(tx, s))).toBe(true);
    expect(await asService(db.sql, (tx) => sessionActive(tx, s))).toBe(false);
    const [left] =
      await db.sql`select count(*)::int as n from auth.refresh_tokens where session_id = ${s}`;
    expect(left?.n).toBe(0);
    expect(await asUser(db.sql, claimsOf(me), (tx) => revokeSession(tx, s))).toBe(false);
  });

  it("refuses revoking another user's session, but an admin may", async () => {
    const me = await createAuthUser(db.sql);
    const other = await createAuthUser(db.sql);
    const s = await createSession(other);
    expect(await pgError(() => asUser(db.sql, claimsOf(me), (tx) => revokeSession(tx, s)))).toBe(
      '42501',
    );
    expect(await asService(db.sql, (tx) => sessionActive(tx, s))).toBe(true);
    const admin = await createAuthUser(db.sql);
    await db.sql`insert into public.user_roles (user_id, role_id)
                 select ${admin}, id from public.roles where name = 'admin'`;
    expect(await asUser(db.sql, claimsOf(admin), (tx) => revokeSession(tx, s))).toBe(true);
  });

  it('revokes every other session of the caller, and only theirs', async () => {
    const me = await createAuthUser(db.sql);
    const other = await createAuthUser(db.sql);
    const keep = await createSession(me);
    await createSession(me);
    await createSession(me);
    const theirs = await createSession(other);
    expect(await asUser(db.sql, claimsOf(me), (tx) => revokeOtherSessions(tx, keep))).toBe(2);
    const mine = await asUser(db.sql, claimsOf(me), (tx) => listSessions(tx, me));
    expect(mine.map((r) => r.id)).toEqual([keep]);
    expect(await asService(db.sql, (tx) => sessionActive(tx, theirs))).toBe(true);
  });

  it('treats a session past not_after as inactive', async () => {
    const me = await createAuthUser(db.sql);
    const s = await createSession(me, { notAfter: new Date(Date.now() - 1000).toISOString() });
    expect(await asService(db.sql, (tx) => sessionActive(tx, s))).toBe(false);
  });

  it('keeps session_active for the service role, and everything from anon', async () => {
    const me = await createAuthUser(db.sql);
    const s = await createSession(me);
    expect(await pgError(() => asUser(db.sql, claimsOf(me), (tx) => sessionActive(tx, s)))).toBe(
      '42501',
    );
    const anon = { sub: me, role: 'anon' as const };
    expect(await pgError(() => asUser(db.sql, anon, (tx) => listSessions(tx, me)))).toBe('42501');
    expect(await pgError(() => asUser(db.sql, anon, (tx) => revokeSession(tx, s)))).toBe('42501');
    expect(
      await pgError(() => asUser(db.sql, claimsOf(me), (tx) => tx`select * from auth.sessions`)),
    ).toBe('42501');
  });
});
