import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../helpers/db.ts';
import { createAuthUser, grant, pgError } from './fixtures.ts';

const db = useTestDatabase();

/** The error a statement fails with: SQLSTATE and constraint name. */
async function failure(fn: () => Promise<unknown>) {
  try {
    await fn();
  } catch (err) {
    const e = err as { code?: string; constraint_name?: string };
    return { code: e.code, constraint: e.constraint_name };
  }
  throw new Error('expected a database error, but the statement succeeded');
}

const LAST_HOLDER = { code: '23514', constraint: 'rbac_manage_last_holder' };

async function role(name: string, parent: string | null) {
  const [row] = await db.sql<{ id: string }[]>`
    insert into public.roles (name, parent_id)
    values (${name}, (select id from public.roles where name = ${parent})) returning id`;
  return row!.id;
}

const revoke = (userId: string, roleName: string) => db.sql`
  delete from public.user_roles ur using public.roles r
   where ur.role_id = r.id and ur.user_id = ${userId} and r.name = ${roleName}`;

describe('the last holder of rbac:manage', () => {
  // First, while the template's users hold nothing: the seeded admin role confers
  // rbac:manage on nobody, so taking it away leaves no fewer holders than before.
  it('does not stop changes where nobody held it before', async () => {
    const take = () => db.sql`
      delete from public.role_permissions rp using public.roles r, public.permissions p
       where rp.role_id = r.id and rp.permission_id = p.id
         and r.name = 'admin' and p.name = 'rbac:manage'`;
    expect((await take()).count).toBe(1);
    await db.sql`
      insert into public.role_permissions (role_id, permission_id)
      select r.id, p.id from public.roles r, public.permissions p
       where r.name = 'admin' and p.name = 'rbac:manage'`;
  });

  it('can lose nothing that leaves nobody able to manage RBAC, by any path', async () => {
    const only = await createAuthUser(db.sql);
    await grant(db.sql, only, 'admin');

    expect(await failure(() => revoke(only, 'admin'))).toEqual(LAST_HOLDER);
    expect(
      await failure(
        () => db.sql`
          delete from public.role_permissions rp using public.roles r, public.permissions p
           where rp.role_id = r.id and rp.permission_id = p.id
             and r.name = 'admin' and p.name = 'rbac:manage'`,
      ),
    ).toEqual(LAST_HOLDER);
    expect(await failure(() => db.sql`delete from auth.users where id = ${only}`)).toEqual(
      LAST_HOLDER,
    );

    // Held only through a child role: taking the inheritance or the role away is refused too.
    const ops = await createAuthUser(db.sql);
    await role('ops', 'admin');
    await grant(db.sql, ops, 'ops');
    await revoke(only, 'admin');
    expect(
      await failure(() => db.sql`update public.roles set parent_id = null where name = 'ops'`),
    ).toEqual(LAST_HOLDER);
    expect(await failure(() => db.sql`delete from public.roles where name = 'ops'`)).toEqual(
      LAST_HOLDER,
    );

    // With a second holder, either one may go.
    await grant(db.sql, only, 'admin');
    await db.sql`delete from public.roles where name = 'ops'`;
    const [left] = await db.sql`
      select count(*)::int as n from public.user_roles ur join public.roles r on r.id = ur.role_id
       where r.name = 'admin'`;
    expect(left?.n).toBe(1);
  });

  it('lets only one of two concurrent removals of the last two holders through', async () => {
    const a = await createAuthUser(db.sql);
    const b = await createAuthUser(db.sql);
    await grant(db.sql, a, 'admin');
    await grant(db.sql, b, 'admin');
    // Whatever else holds admin from earlier tests goes first, so a and b are the last two.
    const others = await db.sql<{ user_id: string }[]>`
      select ur.user_id from public.user_roles ur join public.roles r on r.id = ur.role_id
       where r.name = 'admin' and ur.user_id not in (${a}, ${b})`;
    for (const o of others) await revoke(o.user_id, 'admin');

    const results = await Promise.allSettled([
      db.sql.begin(async (tx) => {
        await tx`delete from public.user_roles ur using public.roles r
                  where ur.role_id = r.id and r.name = 'admin' and ur.user_id = ${a}`;
        await tx`select pg_sleep(0.2)`;
      }),
      db.sql.begin(async (tx) => {
        await tx`select pg_sleep(0.05)`;
        await tx`delete from public.user_roles ur using public.roles r
                  where ur.role_id = r.id and r.name = 'admin' and ur.user_id = ${b}`;
      }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((rejected.reason as { constraint_name?: string }).constraint_name).toBe(
      'rbac_manage_last_holder',
    );
  });
});

describe('system rows', () => {
  it('keeps is_system out of reach of the API roles', async () => {
    const code = await pgError(() =>
      db.sql.begin(async (tx) => {
        await tx`select set_config('role', 'service_role', true)`;
        await tx`update public.roles set is_system = false where name = 'admin'`;
      }),
    );
    expect(code).toBe('42501');
  });
});
