import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DbClaims } from '../../../shared/db/doors.ts';
import { asService, asUser } from '../../../shared/db/doors.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { claimsOf, createAuthUser, grant, pgError } from './fixtures.ts';

const db = useTestDatabase();

/** A client with the roles named, made as the superuser. */
async function client(name: string, roles: string[], enabled = true): Promise<string> {
  const [row] = await db.sql<{ id: string }[]>`
    insert into public.app_clients (name, enabled) values (${name}, ${enabled}) returning id`;
  for (const role of roles) {
    await db.sql`insert into public.app_client_roles (app_client_id, role_id)
                 select ${row!.id}, id from public.roles where name = ${role}`;
  }
  return row!.id;
}

/** The claims the API gives PostgreSQL for an app client's token. */
const appClaims = (id: string, scope: string[]): DbClaims => ({
  sub: id,
  role: 'authenticated',
  client_id: id,
  scope: scope.join(' '),
});

const authorize = (claims: DbClaims, permission: string) =>
  asUser(db.sql, claims, async (tx) => {
    const [row] = await tx`select private.authorize(${permission}) as ok`;
    return row?.ok as boolean;
  });

describe('private.authorize() for app clients', () => {
  it("reads the client's roles, narrowed to its token scope, and nothing once disabled", async () => {
    await db.sql`insert into public.roles (name) values ('auditor')`;
    await db.sql`insert into public.role_permissions (role_id, permission_id)
                 select r.id, p.id from public.roles r, public.permissions p
                  where r.name = 'auditor' and p.name in ('audit:read', 'users:read')`;
    const id = await client('reporting', ['auditor']);

    expect(await authorize(appClaims(id, ['audit:read', 'users:read']), 'audit:read')).toBe(true);
    // Outside the token's scope, though the role has it.
    expect(await authorize(appClaims(id, ['audit:read']), 'users:read')).toBe(false);
    // In the scope, but no role gives it.
    expect(await authorize(appClaims(id, ['rbac:manage']), 'rbac:manage')).toBe(false);

    // RLS reads the tables: the audit log opens to the client at once, and closes when disabled.
    await db.sql`insert into public.audit_log (actor_type, action) values ('system', 'test.event')`;
    const seen = () =>
      asUser(
        db.sql,
        appClaims(id, ['audit:read']),
        async (tx) => (await tx`select count(*)::int as n from public.audit_log`)[0]?.n,
      );
    expect(await seen()).toBeGreaterThan(0);
    await db.sql`update public.app_clients set enabled = false where id = ${id}`;
    expect(await seen()).toBe(0);
    expect(await authorize(appClaims(id, ['audit:read']), 'audit:read')).toBe(false);
  });

  it("treats a user token that names an OAuth client as the user's", async () => {
    const user = await createAuthUser(db.sql);
    await grant(db.sql, user, 'admin');
    const other = await client('oauth-look-alike', []);
    const claims = { ...claimsOf(user), client_id: other, scope: 'openid' };
    expect(await authorize(claims, 'audit:read')).toBe(true);
  });
});

describe('app client tables under RLS', () => {
  it('shows clients only to app_clients:read and lets only rbac:manage change them', async () => {
    const plain = await createAuthUser(db.sql);
    const admin = await createAuthUser(db.sql);
    await grant(db.sql, admin, 'admin');
    const id = await client('visible', []);

    await asUser(db.sql, claimsOf(plain), async (tx) => {
      expect(await tx`select 1 from public.app_clients`).toHaveLength(0);
      expect(await tx`update public.app_clients set name = 'taken' returning 1`).toHaveLength(0);
    });
    expect(
      await pgError(() =>
        asUser(
          db.sql,
          claimsOf(plain),
          (tx) => tx`insert into public.app_clients (name) values ('mine')`,
        ),
      ),
    ).toBe('42501');

    await asUser(db.sql, claimsOf(admin), async (tx) => {
      const rows = await tx`select id from public.app_clients where id = ${id}`;
      expect(rows).toHaveLength(1);
      await tx`update public.app_clients set description = 'Reports' where id = ${id}`;
    });
  });

  it("keeps secrets out of every API role's reach, and adds them only for rbac:manage", async () => {
    const plain = await createAuthUser(db.sql);
    const admin = await createAuthUser(db.sql);
    await grant(db.sql, admin, 'admin');
    const id = await client('secretive', []);
    const hash = randomBytes(32);
    const add = (claims: DbClaims) =>
      asUser(
        db.sql,
        claims,
        (tx) => tx`select private.add_app_client_secret(${id}, ${hash}, now(), 0)`,
      );

    expect(await pgError(() => add(claimsOf(plain)))).toBe('42501');
    await add(claimsOf(admin));
    expect(
      await pgError(() =>
        asUser(db.sql, claimsOf(admin), (tx) => tx`select * from private.app_client_secrets`),
      ),
    ).toBe('42501');
    expect(
      await pgError(() => asService(db.sql, (tx) => tx`select * from private.app_client_secrets`)),
    ).toBe('42501');
    const [row] = await asService(
      db.sql,
      (tx) => tx`select secret_hashes from private.app_client_credentials(${id}, now())`,
    );
    expect(row?.secret_hashes).toEqual([hash]);
  });
});
