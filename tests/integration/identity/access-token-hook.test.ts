import { describe, expect, it } from 'vitest';
import type { Pool as Sql } from '../../../shared/db/client.ts';
import { asService, asUser } from '../../../shared/db/doors.ts';
import { userPermissions } from '../../../shared/identity/rbac.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { claimsOf, createAuthUser, grant, pgError } from './fixtures.ts';

const db = useTestDatabase();

/** The claims GoTrue puts in every access token before the hook runs. */
function inputClaims(sub: string) {
  return {
    iss: 'http://127.0.0.1:54321/auth/v1',
    sub,
    aud: 'authenticated',
    exp: 2_000_000_000,
    iat: 1_999_996_400,
    email: 'ada@example.com',
    phone: '',
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: { username: 'ada' },
    role: 'authenticated',
    aal: 'aal1',
    amr: [{ method: 'password', timestamp: 1_999_996_400 }],
    session_id: '7a9c3a38-1f0e-4f59-9a57-2f1f9a3f8e11',
    is_anonymous: false,
  };
}

/** Calls the hook exactly as Supabase Auth does: as supabase_auth_admin. */
async function runHook(sql: Sql, sub: string): Promise<Record<string, unknown>> {
  return sql.begin(async (tx) => {
    await tx`set local role supabase_auth_admin`;
    const [row] = await tx`
      select public.custom_access_token_hook(${tx.json({
        user_id: sub,
        claims: inputClaims(sub),
        authentication_method: 'password',
      })}) as out`;
    return row?.out.claims;
  }) as Promise<Record<string, unknown>>;
}

describe('custom access token hook', () => {
  it('keeps every input claim and adds roles and permissions, as supabase_auth_admin', async () => {
    const id = await createAuthUser(db.sql);
    const claims = await runHook(db.sql, id);
    expect(claims).toEqual({ ...inputClaims(id), roles: ['user'], permissions: [] });
  });

  it('adds inherited roles and permissions for an admin', async () => {
    const id = await createAuthUser(db.sql);
    await grant(db.sql, id, 'admin');
    const claims = await runHook(db.sql, id);
    expect(claims.roles).toEqual(['admin', 'user']);
    expect(claims.permissions).toEqual(await asService(db.sql, (tx) => userPermissions(tx, id)));
    expect(claims.permissions).toContain('audit:read');
    expect(claims).not.toHaveProperty('permissions_overflow');
  });

  it('leaves permissions out and flags the overflow when they exceed 2 KB', async () => {
    const id = await createAuthUser(db.sql);
    const [bulk] = await db.sql`insert into public.roles (name) values ('bulk') returning id`;
    await db.sql`
      insert into public.permissions (name)
      select 'resource_with_a_long_name_' || chr(97 + i / 26) || chr(97 + i % 26) || ':read'
        from generate_series(0, 99) i`;
    await db.sql`
      insert into public.role_permissions (role_id, permission_id)
      select ${bulk?.id}, id from public.permissions where name like 'resource_with_a_long_name_%'`;
    await grant(db.sql, id, 'bulk');
    const claims = await runHook(db.sql, id);
    expect(claims).not.toHaveProperty('permissions');
    expect(claims).toMatchObject({
      ...inputClaims(id),
      roles: ['bulk', 'user'],
      permissions_overflow: true,
    });
    expect(await asService(db.sql, (tx) => userPermissions(tx, id))).toHaveLength(100);
  });

  it('gives a user with no roles an empty list rather than failing', async () => {
    const id = await createAuthUser(db.sql);
    await db.sql`delete from public.user_roles where user_id = ${id}`;
    const claims = await runHook(db.sql, id);
    expect(claims).toMatchObject({ roles: [], permissions: [] });
  });

  it('cannot be executed by authenticated, anon or service_role', async () => {
    const id = await createAuthUser(db.sql);
    const call = "select public.custom_access_token_hook('{}'::jsonb)";
    expect(await pgError(() => asUser(db.sql, claimsOf(id), (tx) => tx.unsafe(call)))).toBe(
      '42501',
    );
    expect(
      await pgError(() => asUser(db.sql, { sub: id, role: 'anon' }, (tx) => tx.unsafe(call))),
    ).toBe('42501');
    expect(await pgError(() => asService(db.sql, (tx) => tx.unsafe(call)))).toBe('42501');
  });
});
