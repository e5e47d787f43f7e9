import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { SUPABASE_URL } from '../../helpers/auth-emulator.ts';
import { server } from '../../helpers/msw.ts';
import { PASSWORD } from '../../helpers/people.ts';
import { fixtures, useApi } from './fixtures.ts';

const fx = useApi();
const { signUp, signIn, admin, api } = fixtures(fx);

const sessionsOf = (userId: string) =>
  fx.auth.db.sql`select id from auth.sessions where user_id = ${userId}`;

describe('PATCH /users/{id} { is_active }', () => {
  it('deactivating bans in Auth, ends every session at once, and audits it', async () => {
    const boss = await admin();
    const user = await signUp();
    const second = await signIn(user.email);
    expect((await api('/users/me', { token: user.token })).status).toBe(200);

    const res = await api(`/users/${user.id}`, {
      token: boss.token,
      method: 'PATCH',
      json: { is_active: false },
    });
    expect(res.status).toBe(200);
    expect(res.body.is_active).toBe(false);

    expect(await sessionsOf(user.id)).toHaveLength(0);
    const [auth] = await fx.auth.db.sql`select banned_until from auth.users where id = ${user.id}`;
    expect(auth?.banned_until.getTime()).toBeGreaterThan(Date.now() + 365 * 24 * 3600_000);
    // Both sessions were in this instance's cache; the route forgot them, so they fail now.
    expect((await api('/users/me', { token: user.token })).status).toBe(401);
    expect((await api('/users/me', { token: second.token })).status).toBe(401);
    const refresh = await fx.auth
      .client()
      .auth.refreshSession({ refresh_token: user.refreshToken });
    expect(refresh.error?.code).toBe('refresh_token_not_found');
    const login = await fx.auth
      .client()
      .auth.signInWithPassword({ email: user.email, password: PASSWORD });
    expect(login.error?.code).toBe('user_banned');

    const [event] = await fx.auth.db.sql`
      select actor_id, target_type, request_id, metadata from public.audit_log
       where action = 'user.deactivated' and target_id = ${user.id}`;
    expect(event).toMatchObject({
      actor_id: boss.id,
      target_type: 'user',
      metadata: { sessions_ended: 2 },
    });
    expect(event?.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reactivating lifts the ban so the user can sign in again', async () => {
    const boss = await admin();
    const user = await signUp();
    await api(`/users/${user.id}`, {
      token: boss.token,
      method: 'PATCH',
      json: { is_active: false },
    });
    const res = await api(`/users/${user.id}`, {
      token: boss.token,
      method: 'PATCH',
      json: { is_active: true },
    });
    expect(res.body.is_active).toBe(true);
    const again = await signIn(user.email);
    expect((await api('/users/me', { token: again.token })).body.is_active).toBe(true);
    const events = await fx.auth.db.sql`
      select action from public.audit_log where target_id = ${user.id} and action like 'user.%' order by id`;
    expect(events.map((e) => e.action)).toEqual(['user.deactivated', 'user.activated']);
  });

  it('keeps the user active and signed in when Auth refuses the ban', async () => {
    const boss = await admin();
    const user = await signUp();
    server.use(
      http.put(`${SUPABASE_URL}/auth/v1/admin/users/:id`, () =>
        HttpResponse.json({ code: 'unexpected_failure', message: 'boom' }, { status: 500 }),
      ),
    );
    const res = await api(`/users/${user.id}`, {
      token: boss.token,
      method: 'PATCH',
      json: { is_active: false },
    });
    expect(res.status).toBe(502);
    expect(JSON.stringify(res.body)).not.toContain('boom');
    const [profile] = await fx.auth.db
      .sql`select is_active from public.profiles where id = ${user.id}`;
    expect(profile?.is_active).toBe(true);
    expect(await sessionsOf(user.id)).toHaveLength(1);
    expect((await api('/users/me', { token: user.token })).status).toBe(200);
  });

  it('refuses to deactivate yourself', async () => {
    const boss = await admin();
    const self = await api(`/users/${boss.id}`, {
      token: boss.token,
      method: 'PATCH',
      json: { is_active: false },
    });
    expect(self.status).toBe(409);
    expect((await api('/users/me', { token: boss.token })).body.is_active).toBe(true);
  });

  it('is refused to a plain user, and to the user themselves through PUT /users/me', async () => {
    const user = await signUp();
    const other = await signUp();
    const res = await api(`/users/${other.id}`, {
      token: user.token,
      method: 'PATCH',
      json: { is_active: false },
    });
    expect(res.status).toBe(403);
    expect(
      (await api('/users/me', { token: user.token, method: 'PUT', json: { is_active: false } }))
        .status,
    ).toBe(422);
    expect(await sessionsOf(other.id)).toHaveLength(1);
  });
});
