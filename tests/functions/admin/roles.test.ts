import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useApi } from '../api/fixtures.ts';
import { adminFixtures } from './fixtures.ts';

const fx = useApi();
const { admin, adminAal2, adminApi, signUp, roleId, permissionId, auditOf } = adminFixtures(fx);

const unique = (prefix: string) => `${prefix}_${randomUUID().slice(0, 8)}`;
/** Permission names take letters and `_` only. */
const letters = () =>
  randomUUID()
    .replace(/[^0-9a-f]/g, '')
    .slice(0, 10)
    .replace(/[0-9]/g, (d) => 'ghijklmnop'[Number(d)] as string);

describe('roles', () => {
  it('creates a role under a parent, gives it permissions and shows what it inherits', async () => {
    const boss = await admin();
    const parent = await adminApi('/roles', {
      token: boss.token,
      json: { name: unique('support'), description: 'Helps users' },
    });
    expect(parent.status).toBe(201);
    const reader = await permissionId('users:read');
    expect(
      (
        await adminApi(`/roles/${parent.body.id}/permissions/${reader}`, {
          token: boss.token,
          method: 'PUT',
        })
      ).status,
    ).toBe(204);

    const child = await adminApi('/roles', {
      token: boss.token,
      json: { name: unique('support_lead'), parent_id: parent.body.id },
    });
    expect(child.status).toBe(201);
    expect(child.body).toMatchObject({
      parent_id: parent.body.id,
      is_system: false,
      permissions: [],
      effective_permissions: ['users:read'],
    });
    const audit = await auditOf(parent.body.id);
    expect(audit.map((e) => e.action)).toEqual(['role.created', 'role.permission_added']);
    expect(audit[1]).toMatchObject({ actor_id: boss.id, metadata: { permission: 'users:read' } });

    const own = await adminApi(`/roles/${parent.body.id}/permissions`, { token: boss.token });
    expect(own.body).toEqual({
      data: [{ id: reader, name: 'users:read', description: 'Read every profile' }],
      next_cursor: null,
    });
  });

  it('refuses a cycle, a taken name, an unknown parent and a bad name', async () => {
    const boss = await admin();
    const a = (await adminApi('/roles', { token: boss.token, json: { name: unique('cyc_a') } }))
      .body;
    const b = (
      await adminApi('/roles', {
        token: boss.token,
        json: { name: unique('cyc_b'), parent_id: a.id },
      })
    ).body;
    const cycle = await adminApi(`/roles/${a.id}`, {
      token: boss.token,
      method: 'PATCH',
      json: { parent_id: b.id },
    });
    expect(cycle.status).toBe(409);
    expect(cycle.body).toMatchObject({
      code: 'conflict',
      errors: [{ path: 'body.parent_id', message: expect.stringContaining('ancestor') }],
    });
    const self = await adminApi(`/roles/${a.id}`, {
      token: boss.token,
      method: 'PATCH',
      json: { parent_id: a.id },
    });
    expect(self.status).toBe(409);

    const taken = await adminApi('/roles', { token: boss.token, json: { name: a.name } });
    expect(taken.status).toBe(409);
    expect(taken.body.errors).toEqual([{ path: 'body.name', message: 'That role name is taken' }]);
    const orphan = await adminApi('/roles', {
      token: boss.token,
      json: { name: unique('orphan'), parent_id: randomUUID() },
    });
    expect(orphan.status).toBe(422);
    expect(orphan.body.errors).toEqual([{ path: 'body.parent_id', message: 'No such role' }]);
    const bad = await adminApi('/roles', { token: boss.token, json: { name: 'Not Valid' } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].path).toBe('body.name');
  });

  it('keeps system roles: renaming or deleting them is a 409, describing them is fine', async () => {
    const boss = await adminAal2();
    const user = await roleId('user');
    const rename = await adminApi(`/roles/${user}`, {
      token: boss.token,
      method: 'PATCH',
      json: { name: 'member' },
    });
    expect(rename.status).toBe(409);
    expect(rename.body.detail).toBe('System roles cannot be renamed or deleted');
    const del = await adminApi(`/roles/${await roleId('admin')}`, {
      token: boss.token,
      method: 'DELETE',
    });
    expect(del.status).toBe(409);
    const describe_ = await adminApi(`/roles/${user}`, {
      token: boss.token,
      method: 'PATCH',
      json: { description: 'Everyone who signed up' },
    });
    expect(describe_.status).toBe(200);
    expect(describe_.body.is_system).toBe(true);
  });

  it('asks for aal2 before deleting, and deletes with it', async () => {
    const boss = await admin();
    const role = (await adminApi('/roles', { token: boss.token, json: { name: unique('temp') } }))
      .body;
    const aal1 = await adminApi(`/roles/${role.id}`, { token: boss.token, method: 'DELETE' });
    expect(aal1.status).toBe(403);
    expect(aal1.body.code).toBe('insufficient_aal');
    const strong = await adminAal2();
    const del = await adminApi(`/roles/${role.id}`, { token: strong.token, method: 'DELETE' });
    expect(del.status).toBe(204);
    expect((await adminApi(`/roles/${role.id}`, { token: boss.token })).status).toBe(404);
    expect((await auditOf(role.id)).map((e) => e.action)).toEqual(['role.created', 'role.deleted']);
  });

  it('pages with the list convention', async () => {
    const boss = await admin();
    const prefix = unique('page');
    for (const n of [1, 2, 3]) {
      await adminApi('/roles', { token: boss.token, json: { name: `${prefix}_${n}` } });
    }
    const first = await adminApi(`/roles?q=${prefix}&limit=2`, { token: boss.token });
    expect(first.body.data.map((r: { name: string }) => r.name)).toEqual([
      `${prefix}_1`,
      `${prefix}_2`,
    ]);
    const second = await adminApi(`/roles?q=${prefix}&limit=2&cursor=${first.body.next_cursor}`, {
      token: boss.token,
    });
    expect(second.body).toMatchObject({ data: [{ name: `${prefix}_3` }], next_cursor: null });
    const foreign = await adminApi(`/roles?cursor=${first.body.next_cursor}&sort=created_at`, {
      token: boss.token,
    });
    expect(foreign.status).toBe(422);
  });
});

describe('the last holder of rbac:manage', () => {
  it('cannot lose it, whatever the route', async () => {
    const boss = await adminAal2();
    // Everyone else who holds admin in this file's database lets go, in SQL.
    await fx.auth.db.sql`
      delete from public.user_roles ur using public.roles r
       where ur.role_id = r.id and r.name = 'admin' and ur.user_id <> ${boss.id}`;
    const adminRole = await roleId('admin');
    const manage = await permissionId('rbac:manage');
    const calls = [
      `/users/${boss.id}/roles/${adminRole}`,
      `/roles/${adminRole}/permissions/${manage}`,
    ];
    for (const path of calls) {
      const res = await adminApi(path, { token: boss.token, method: 'DELETE' });
      expect({ path, status: res.status, detail: res.body.detail }).toEqual({
        path,
        status: 409,
        detail: 'This would leave nobody holding rbac:manage',
      });
    }
    // With a second holder, the first may step down.
    const other = await signUp();
    expect(
      (
        await adminApi(`/users/${other.id}/roles/${adminRole}`, {
          token: boss.token,
          method: 'PUT',
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await adminApi(`/users/${boss.id}/roles/${adminRole}`, {
          token: boss.token,
          method: 'DELETE',
        })
      ).status,
    ).toBe(204);
  });
});

describe('user roles', () => {
  it('assigns, lists and removes, with 404s for unknown users and roles', async () => {
    const boss = await adminAal2();
    const target = await signUp();
    const role = (await adminApi('/roles', { token: boss.token, json: { name: unique('ops') } }))
      .body;
    const put = (user: string, r: string) =>
      adminApi(`/users/${user}/roles/${r}`, { token: boss.token, method: 'PUT' });
    expect((await put(target.id, role.id)).status).toBe(204);
    expect((await put(target.id, role.id)).status).toBe(204);
    expect((await put(randomUUID(), role.id)).body).toMatchObject({
      status: 404,
      detail: 'User not found',
    });
    expect((await put(target.id, randomUUID())).body).toMatchObject({
      status: 404,
      detail: 'Role not found',
    });

    const list = await adminApi(`/users/${target.id}/roles?sort=name`, { token: boss.token });
    expect(list.body.data.map((r: { name: string }) => r.name).sort()).toEqual(
      [role.name, 'user'].sort(),
    );
    expect(list.body.data.find((r: { name: string }) => r.name === role.name)).toMatchObject({
      granted_by: boss.id,
    });

    const del = () =>
      adminApi(`/users/${target.id}/roles/${role.id}`, { token: boss.token, method: 'DELETE' });
    expect((await del()).status).toBe(204);
    expect((await del()).status).toBe(404);
    expect((await auditOf(target.id)).map((e) => e.action)).toEqual([
      'user.role_added',
      'user.role_removed',
    ]);
  });
});

describe('permissions', () => {
  it('creates, reads, renames and deletes, and keeps the system ones', async () => {
    const boss = await adminAal2();
    const name = `reports_${letters()}:read`;
    const created = await adminApi('/permissions', {
      token: boss.token,
      json: { name, description: 'Read reports' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name, is_system: false });
    const id = created.body.id;
    expect((await adminApi('/permissions', { token: boss.token, json: { name } })).status).toBe(
      409,
    );
    expect(
      (await adminApi('/permissions', { token: boss.token, json: { name: 'no-colon' } })).status,
    ).toBe(422);
    const renamed = await adminApi(`/permissions/${id}`, {
      token: boss.token,
      method: 'PATCH',
      json: { name: `${name}_all` },
    });
    expect(renamed.body.name).toBe(`${name}_all`);
    expect((await adminApi(`/permissions/${id}`, { token: boss.token })).status).toBe(200);

    const system = await permissionId('users:read');
    expect(
      (
        await adminApi(`/permissions/${system}`, {
          token: boss.token,
          method: 'PATCH',
          json: { name: 'people:read' },
        })
      ).status,
    ).toBe(409);
    expect(
      (await adminApi(`/permissions/${system}`, { token: boss.token, method: 'DELETE' })).status,
    ).toBe(409);
    expect(
      (await adminApi(`/permissions/${id}`, { token: boss.token, method: 'DELETE' })).status,
    ).toBe(204);
    expect((await auditOf(id)).map((e) => e.action)).toEqual([
      'permission.created',
      'permission.updated',
      'permission.deleted',
    ]);
  });
});
