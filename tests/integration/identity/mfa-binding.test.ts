import { describe, expect, it } from 'vitest';
import { asUser } from '../../../shared/db/doors.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { claimsOf, createAuthUser, grant } from './fixtures.ts';

const db = useTestDatabase();

/** Gives `userId` a TOTP factor in the state Auth would leave it. */
async function enrol(userId: string, status: 'verified' | 'unverified') {
  await db.sql`
    insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at, secret)
    values (gen_random_uuid(), ${userId}, ${`f-${status}`}, 'totp', ${status}, now(), now(), 'x')`;
}

describe('MFA binds in the database', () => {
  it('hides every table from an aal1 session of a user with a verified factor', async () => {
    const admin = await createAuthUser(db.sql);
    await grant(db.sql, admin, 'admin');
    const read = (aal: 'aal1' | 'aal2') =>
      asUser(db.sql, { ...claimsOf(admin), aal }, async (tx) => ({
        profiles: (await tx`select id from public.profiles`).length,
        own: (await tx`select id from public.profiles where id = ${admin}`).length,
        roles: (await tx`select id from public.roles`).length,
        audit: (await tx`select id from public.audit_log`).length,
      }));

    const before = await read('aal1');
    expect(before.roles).toBeGreaterThan(0);
    await enrol(admin, 'unverified');
    expect(await read('aal1')).toEqual(before);

    await enrol(admin, 'verified');
    // Own profile only: what a client needs to show the second-factor step.
    expect(await read('aal1')).toEqual({ profiles: 1, own: 1, roles: 0, audit: 0 });
    expect(await read('aal2')).toEqual(before);
  });

  it('refuses writes from such a session', async () => {
    const user = await createAuthUser(db.sql);
    await enrol(user, 'verified');
    const code = await asUser(
      db.sql,
      { ...claimsOf(user), aal: 'aal1' },
      (tx) => tx`insert into public.projects (owner_id, name) values (${user}, 'x')`,
    ).then(
      () => 'inserted',
      (e: { code?: string }) => e.code,
    );
    expect(code).toBe('42501');
    const ok = await asUser(
      db.sql,
      { ...claimsOf(user), aal: 'aal2' },
      (tx) => tx`insert into public.projects (owner_id, name) values (${user}, 'x') returning id`,
    );
    expect(ok).toHaveLength(1);
  });
});
