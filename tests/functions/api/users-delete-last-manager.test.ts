import { describe, expect, it } from 'vitest';
import { appClientFixtures } from '../auth/app-clients.ts';
import { fixtures, useApi } from './fixtures.ts';

// A database of its own: here the one admin is the only holder of rbac:manage.
const fx = useApi();
const { signUp, signIn, admin, api } = fixtures(fx);
const { roleWith } = appClientFixtures(fx);

describe('DELETE /users/{id} and the last holder of rbac:manage', () => {
  it('is a 409, and the account stays', async () => {
    const only = await admin();
    const deleter = await signUp();
    const role = await roleWith(['users:read', 'users:delete']);
    await fx.auth.db.sql`insert into public.user_roles (user_id, role_id)
                         select ${deleter.id}, id from public.roles where name = ${role}`;
    const { token } = await signIn(deleter.email);

    const res = await api(`/users/${only.id}`, { token, method: 'DELETE' });
    expect(res.status).toBe(409);
    expect(res.body.detail).toBe('This would leave nobody holding rbac:manage');
    expect(await fx.auth.db.sql`select 1 from auth.users where id = ${only.id}`).toHaveLength(1);

    // Anyone else goes as before.
    const other = await signUp();
    expect((await api(`/users/${other.id}`, { token, method: 'DELETE' })).status).toBe(204);
  });
});
