import { describe, expect, it } from 'vitest';
import { asService, asUser } from '../../../shared/db/doors.ts';
import {
  grantRole,
  revokeRole,
  userPermissions,
  userRoles,
} from '../../../shared/identity/rbac.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { gate, someoneBlocked } from '../../helpers/locks.ts';
import { claimsOf, createAuthUser, grant, pgError } from './fixtures.ts';

const db = useTestDatabase();

const ALL = [
  'app_clients:read',
  'audit:read',
  'permissions:read',
  'projects:read_all',
  'projects:write_all',
  'rbac:manage',
  'roles:read',
  'sessions:read',
  'sessions:revoke',
  'users:delete',
  'users:read',
  'users:write',
];

async function role(name: string, parent: string | null) {
  const [row] = await db.sql`
    insert into public.roles (name, parent_id)
    values (${name}, (select id from public.roles where name = ${parent}))
    returning id`;
  return row?.id as string;
}

describe('seeds', () => {
  it('gives admin every core permission and user none, with admin under user', async () => {
    const rows = await db.sql`
      select r.name, p.name as parent,
             coalesce(array_agg(pm.name order by pm.name) filter (where pm.name is not null), '{}') as perms
        from public.roles r
        left join public.roles p on p.id = r.parent_id
        left join public.role_permissions rp on rp.role_id = r.id
        left join public.permissions pm on pm.id = rp.permission_id
       group by r.name, p.name order by r.name`;
    expect(rows).toEqual([
      { name: 'admin', parent: 'user', perms: ALL },
      { name: 'user', parent: null, perms: [] },
    ]);
  });
});

describe('effective roles and permissions', () => {
  it('inherit through parents, recursively', async () => {
    const support = await role('support', 'admin');
    await role('support_lead', 'support');
    const id = await createAuthUser(db.sql);
    await grant(db.sql, id, 'support_lead');
    await db.sql`insert into public.permissions (name) values ('tickets:close')`;
    await db.sql`insert into public.role_permissions (role_id, permission_id)
                 select ${support}, id from public.permissions where name = 'tickets:close'`;
    await asService(db.sql, async (tx) => {
      expect(await userRoles(tx, id)).toEqual(['admin', 'support', 'support_lead', 'user']);
      expect(await userPermissions(tx, id)).toEqual([...ALL, 'tickets:close'].sort());
    });
  });

  it('authorize() reads the tables, so a revoked role stops working at once', async () => {
    const id = await createAuthUser(db.sql);
    const check = () =>
      asUser(db.sql, claimsOf(id), async (tx) => {
        const [row] = await tx`select private.authorize('audit:read') as ok`;
        return row?.ok;
      });
    expect(await check()).toBe(false);
    await asService(db.sql, (tx) => grantRole(tx, id, 'admin', null));
    expect(await check()).toBe(true);
    await asService(db.sql, (tx) => revokeRole(tx, id, 'admin'));
    expect(await check()).toBe(false);
  });

  it('authorize() is true for the service role and not callable by anon', async () => {
    const [row] = await asService(
      db.sql,
      (tx) => tx`select private.authorize('users:delete') as ok`,
    );
    expect(row?.ok).toBe(true);
    const code = await pgError(() =>
      asUser(
        db.sql,
        { sub: '00000000-0000-0000-0000-000000000000', role: 'anon' },
        (tx) => tx`select private.authorize('users:read')`,
      ),
    );
    expect(code).toBe('42501');
  });

  it('lives out of the Data API: public.authorize() is gone and nothing calls it', async () => {
    const [gone] = await db.sql`select to_regprocedure('public.authorize(text)') as f`;
    expect(gone?.f).toBeNull();
    const callers = await db.sql<{ f: string }[]>`
      select p.oid::regprocedure::text as f from pg_proc p
       where p.prosrc like '%authorize(%' and p.prosrc like '%public.authorize(%'`;
    expect(callers).toEqual([]);
    // Rewritten views keep their options: the directory still filters before callers' WHEREs.
    const [view] = await db.sql`
      select reloptions, pg_get_viewdef('private.user_emails'::regclass) as def
        from pg_class where oid = 'private.user_emails'::regclass`;
    expect(view?.reloptions).toEqual(['security_barrier=true']);
    expect(view?.def).toContain('private.authorize(');
  });

  it('keeps the flattening helpers away from users', async () => {
    const id = await createAuthUser(db.sql);
    const code = await pgError(() => asUser(db.sql, claimsOf(id), (tx) => userPermissions(tx, id)));
    expect(code).toBe('42501');
  });
});

describe('hierarchy guards', () => {
  it('refuses a cycle, direct or through ancestors', async () => {
    const a = await role('cyc_a', null);
    const b = await role('cyc_b', 'cyc_a');
    await role('cyc_c', 'cyc_b');
    expect(
      await pgError(() => db.sql`update public.roles set parent_id = ${a} where id = ${a}`),
    ).toBe('23514');
    expect(
      await pgError(
        () =>
          db.sql`update public.roles set parent_id = (select id from public.roles where name = 'cyc_c') where id = ${a}`,
      ),
    ).toBe('23514');
    expect(
      await pgError(() => db.sql`update public.roles set parent_id = ${b} where id = ${a}`),
    ).toBe('23514');
  });

  it('refuses two concurrent updates that would together form a cycle', async () => {
    const x = await role('race_x', null);
    const y = await role('race_y', null);
    const updated = gate();
    const mayCommit = gate();
    const first = db.sql.begin(async (tx) => {
      await tx`update public.roles set parent_id = ${y} where id = ${x}`;
      updated.open();
      await mayCommit.opened;
    });
    await updated.opened;
    // The first transaction holds its change open; the second must wait for it, not pass.
    const second = db.sql.begin(async (tx) => {
      await tx`update public.roles set parent_id = ${x} where id = ${y}`;
    });
    const met = await Promise.race([
      second.then(
        () => 'second finished first',
        () => 'second failed first',
      ),
      someoneBlocked(db.sql),
    ]);
    mayCommit.open();
    const results = await Promise.allSettled([first, second]);
    expect(met).toBe('blocked');
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason.code).toBe('23514');
  });

  it('refuses renaming or deleting system roles and permissions, and invalid names', async () => {
    expect(await pgError(() => db.sql`delete from public.roles where name = 'admin'`)).toBe(
      '23514',
    );
    expect(
      await pgError(() => db.sql`update public.roles set name = 'member' where name = 'user'`),
    ).toBe('23514');
    expect(
      await pgError(() => db.sql`delete from public.permissions where name = 'users:read'`),
    ).toBe('23514');
    // Re-describing a system role is fine.
    await db.sql`update public.roles set description = 'Everyone' where name = 'user'`;
    expect(await pgError(() => db.sql`insert into public.roles (name) values ('Bad')`)).toBe(
      '23514',
    );
    expect(
      await pgError(() => db.sql`insert into public.permissions (name) values ('no-colon')`),
    ).toBe('23514');
  });
});

describe('RBAC table RLS', () => {
  it('lets a user see only their own assignments and nothing of the catalogue', async () => {
    const me = await createAuthUser(db.sql);
    await createAuthUser(db.sql);
    await asUser(db.sql, claimsOf(me), async (tx) => {
      const mine = await tx`select user_id from public.user_roles`;
      expect(mine.map((r) => r.user_id)).toEqual([me]);
      expect(await tx`select 1 from public.roles`).toHaveLength(0);
      expect(await tx`select 1 from public.permissions`).toHaveLength(0);
      expect(await tx`select 1 from public.role_permissions`).toHaveLength(0);
    });
  });

  it('refuses a user granting themselves a role', async () => {
    const me = await createAuthUser(db.sql);
    // RLS hides the role catalogue from them, so the helper does not even find the role...
    await expect(
      asUser(db.sql, claimsOf(me), (tx) => grantRole(tx, me, 'admin', me)),
    ).rejects.toThrow('Unknown role: admin');
    // ...and knowing the role id does not help: the insert fails the policy.
    const [admin] = await db.sql`select id from public.roles where name = 'admin'`;
    const code = await pgError(() =>
      asUser(
        db.sql,
        claimsOf(me),
        (tx) => tx`insert into public.user_roles (user_id, role_id) values (${me}, ${admin?.id})`,
      ),
    );
    expect(code).toBe('42501');
    const [row] =
      await db.sql`select count(*)::int as n from public.user_roles where user_id = ${me}`;
    expect(row?.n).toBe(1);
  });

  it('lets rbac:manage manage roles, permissions of roles and assignments', async () => {
    const admin = await createAuthUser(db.sql);
    const target = await createAuthUser(db.sql);
    await grant(db.sql, admin, 'admin');
    await asUser(db.sql, claimsOf(admin), async (tx) => {
      await tx`insert into public.roles (name, description) values ('editor', 'Edits things')`;
      await tx`insert into public.permissions (name) values ('things:edit')`;
      await tx`insert into public.role_permissions (role_id, permission_id)
               select r.id, p.id from public.roles r, public.permissions p
                where r.name = 'editor' and p.name = 'things:edit'`;
      expect(await grantRole(tx, target, 'editor', admin)).toBe(true);
      expect(await grantRole(tx, target, 'editor', admin)).toBe(false);
      const all = await tx`select user_id from public.user_roles where user_id = ${target}`;
      expect(all).toHaveLength(2);
    });
    const [row] = await db.sql`
      select granted_by from public.user_roles ur join public.roles r on r.id = ur.role_id
       where ur.user_id = ${target} and r.name = 'editor'`;
    expect(row?.granted_by).toBe(admin);
    await expect(
      asService(db.sql, (tx) => grantRole(tx, target, 'no_such_role', null)),
    ).rejects.toThrow('Unknown role: no_such_role');
  });
});
