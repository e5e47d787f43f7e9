import { describe, expect, it } from 'vitest';
import { useFunctions } from '../../helpers/functions.ts';

const fx = useFunctions(
  {},
  { INITIAL_ADMIN_EMAIL: 'founder@example.com', INITIAL_ADMIN_PASSWORD: 'founder-password-1' },
);

async function admins() {
  return fx.auth.db.sql<{ email: string }[]>`
    select u.email from public.user_roles ur
      join public.roles r on r.id = ur.role_id join auth.users u on u.id = ur.user_id
     where r.name = 'admin'`;
}

describe('the initial admin', () => {
  it('is created by the auth function at start-up and signs in with the admin role', async () => {
    // Seeding runs in the background of the app's start-up; the harness waits for it.
    await fx.started();
    expect(await admins()).toEqual([{ email: 'founder@example.com' }]);

    const res = await fx.call('auth', '/login', {
      json: { email: 'founder@example.com', password: 'founder-password-1' },
    });
    expect(res.status).toBe(200);
    const { access_token } = await res.json();
    expect((await fx.call('api', '/users?limit=1', { token: access_token })).status).toBe(200);
  });
});
