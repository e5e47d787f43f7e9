import { describe, expect, it } from 'vitest';
import { asService, asUser } from '../../../shared/db/doors.ts';
import { getProfile, setProfileActive, updateProfile } from '../../../shared/identity/profiles.ts';
import { userRoles } from '../../../shared/identity/rbac.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { claimsOf, createAuthUser, grant, pgError, uniqueEmail } from './fixtures.ts';

const db = useTestDatabase();

describe('sign-up trigger', () => {
  it('creates a profile and the user role for every new auth user', async () => {
    const id = await createAuthUser(db.sql, {
      meta: { username: 'Ada_Lovelace', first_name: 'Ada', last_name: 'Lovelace' },
    });
    const [profile] = await db.sql`select * from public.profiles where id = ${id}`;
    expect(profile).toMatchObject({
      username: 'ada_lovelace',
      first_name: 'Ada',
      last_name: 'Lovelace',
      is_active: true,
    });
    expect(await asService(db.sql, (tx) => userRoles(tx, id))).toEqual(['user']);
  });

  it('derives the username from the email, with a suffix when it is taken', async () => {
    const local = `grace.h-${Date.now() % 100_000}`;
    const a = await createAuthUser(db.sql, { email: `${local}@example.com` });
    const b = await createAuthUser(db.sql, { email: `${local}@example.org` });
    const rows = await db.sql`select id, username from public.profiles where id in (${a}, ${b})`;
    const name = (id: string) => rows.find((r) => r.id === id)?.username as string;
    const expected = local.replace('-', '_');
    expect(name(a)).toBe(expected);
    expect(name(b)).toMatch(new RegExp(`^${expected.replace('.', '\\.')}_[0-9a-f]{4}$`));
  });

  it('falls back to the email when the requested username is invalid or taken', async () => {
    await createAuthUser(db.sql, { meta: { username: 'taken_name' } });
    const taken = await createAuthUser(db.sql, {
      email: 'linus.t@example.com',
      meta: { username: 'taken_name' },
    });
    const invalid = await createAuthUser(db.sql, {
      email: 'ken.t@example.com',
      meta: { username: 'no spaces!' },
    });
    const shortOrMissing = await createAuthUser(db.sql, { email: null });
    const short = await createAuthUser(db.sql, { email: 'x@example.com' });
    const rows = await db.sql`
      select id, username from public.profiles where id in (${taken}, ${invalid}, ${shortOrMissing}, ${short})`;
    const name = (id: string) => rows.find((r) => r.id === id)?.username;
    expect(name(taken)).toBe('linus.t');
    expect(name(invalid)).toBe('ken.t');
    expect(name(shortOrMissing)).toMatch(/^user(_[0-9a-f]{4})?$/);
    expect(name(short)).toMatch(/^user_x(_[0-9a-f]{4})?$/);
  });

  it('survives many sign-ups racing for the same derived name', async () => {
    const ids = await Promise.all(
      Array.from({ length: 8 }, (_, i) => createAuthUser(db.sql, { email: `same@host${i}.test` })),
    );
    const rows = await db.sql`select username from public.profiles where id in ${db.sql(ids)}`;
    expect(new Set(rows.map((r) => r.username)).size).toBe(8);
  });

  it('removes the profile and role assignments with the auth user', async () => {
    const id = await createAuthUser(db.sql);
    await db.sql`delete from auth.users where id = ${id}`;
    const [left] = await db.sql`
      select (select count(*) from public.profiles where id = ${id})::int as p,
             (select count(*) from public.user_roles where user_id = ${id})::int as r`;
    expect(left).toEqual({ p: 0, r: 0 });
  });
});

describe('profile RLS', () => {
  it('lets a user read and edit their own profile, and hides everyone else', async () => {
    const me = await createAuthUser(db.sql);
    const other = await createAuthUser(db.sql);
    await asUser(db.sql, claimsOf(me), async (tx) => {
      expect((await getProfile(tx, me))?.id).toBe(me);
      expect(await getProfile(tx, other)).toBeUndefined();
      const updated = await updateProfile(tx, me, { firstName: 'Mine', avatarUrl: null });
      expect(updated).toMatchObject({ firstName: 'Mine', avatarUrl: null, isActive: true });
      expect(await updateProfile(tx, other, { firstName: 'Hijack' })).toBeUndefined();
    });
    const [row] = await db.sql`select first_name from public.profiles where id = ${other}`;
    expect(row?.first_name).toBeNull();
  });

  it('refuses a user flipping is_active, even on their own profile', async () => {
    const me = await createAuthUser(db.sql);
    const code = await pgError(() =>
      asUser(db.sql, claimsOf(me), (tx) => setProfileActive(tx, me, false)),
    );
    expect(code).toBe('42501');
  });

  it('refuses inserts, deletes and changes of id by users', async () => {
    const me = await createAuthUser(db.sql);
    const as = <T>(fn: Parameters<typeof asUser<T>>[2]) => asUser(db.sql, claimsOf(me), fn);
    expect(await pgError(() => as((tx) => tx`delete from public.profiles where id = ${me}`))).toBe(
      '42501',
    );
    expect(
      await pgError(() =>
        as((tx) => tx`insert into public.profiles (id, username) values (${me}, 'dup_me')`),
      ),
    ).toBe('42501');
    expect(
      await pgError(() =>
        as((tx) => tx`update public.profiles set id = gen_random_uuid() where id = ${me}`),
      ),
    ).toBe('42501');
  });

  it('enforces the username format and uniqueness on update', async () => {
    const me = await createAuthUser(db.sql);
    const other = await createAuthUser(db.sql, { meta: { username: 'someone_else' } });
    expect(other).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      await pgError(() =>
        asUser(db.sql, claimsOf(me), (tx) => updateProfile(tx, me, { username: 'Bad Name' })),
      ),
    ).toBe('23514');
    expect(
      await pgError(() =>
        asUser(db.sql, claimsOf(me), (tx) => updateProfile(tx, me, { username: 'someone_else' })),
      ),
    ).toBe('23505');
  });

  it('lets an admin read every profile and deactivate a user', async () => {
    const admin = await createAuthUser(db.sql);
    const target = await createAuthUser(db.sql);
    await grant(db.sql, admin, 'admin');
    await asUser(db.sql, claimsOf(admin), async (tx) => {
      const [count] = await tx`select count(*)::int as n from public.profiles`;
      const [all] = await db.sql`select count(*)::int as n from public.profiles`;
      expect(count?.n).toBe(all?.n);
      expect(count?.n).toBeGreaterThan(2);
      expect(await setProfileActive(tx, target, false)).toBe(true);
    });
    const [row] = await db.sql`select is_active from public.profiles where id = ${target}`;
    expect(row?.is_active).toBe(false);
  });

  it('stops the admin policies working the moment the role is revoked', async () => {
    const admin = await createAuthUser(db.sql);
    const target = await createAuthUser(db.sql);
    await grant(db.sql, admin, 'admin');
    await db.sql`delete from public.user_roles ur using public.roles r
                  where ur.role_id = r.id and r.name = 'admin' and ur.user_id = ${admin}`;
    await asUser(db.sql, claimsOf(admin), async (tx) => {
      expect(await getProfile(tx, target)).toBeUndefined();
    });
  });

  it('keeps anon out entirely', async () => {
    const code = await pgError(() =>
      asUser(
        db.sql,
        { sub: '00000000-0000-0000-0000-000000000000', role: 'anon' },
        (tx) => tx`select 1 from public.profiles`,
      ),
    );
    expect(code).toBe('42501');
    expect(uniqueEmail()).toContain('@');
  });
});
