import { createClient } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import { totp } from '../../scripts/emulators/auth/mfa/totp.ts';
import { DEMO_ANON_KEY } from '../../scripts/local/keys.ts';
import { ManualClock } from '../helpers/clock.ts';
import { useLocalStack } from '../helpers/stack.ts';

// The administration journey through `npm run dev` over real HTTP: an admin verifies a second
// factor with supabase-js, builds a role, gives it to an app client, and the client lives
// its life (token, calls, rotation, revocation) on one clock the test moves.
const clock = new ManualClock();
const h = useLocalStack(
  { INITIAL_ADMIN_EMAIL: 'boss@example.com', INITIAL_ADMIN_PASSWORD: 'boss-password-123' },
  { clock },
);

const fn = (path: string) => `${h.stack.gatewayUrl}/functions/v1${path}`;

async function call(path: string, init: { method?: string; json?: unknown; token?: string } = {}) {
  const headers: Record<string, string> = {
    apikey: DEMO_ANON_KEY,
    authorization: `Bearer ${init.token ?? DEMO_ANON_KEY}`,
  };
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(fn(path), {
    method: init.method ?? (init.json !== undefined ? 'POST' : 'GET'),
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** The client-credentials grant with HTTP Basic, as any OAuth client library sends it. */
async function clientToken(id: string, secret: string) {
  const res = await fetch(fn('/auth/token'), {
    method: 'POST',
    headers: {
      authorization: basic(id, secret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

/** The admin, signed in and raised to aal2 with a TOTP factor enrolled through supabase-js. */
async function adminAtAal2(): Promise<string> {
  const supabase = createClient(h.stack.gatewayUrl, DEMO_ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
  const signIn = await supabase.auth.signInWithPassword({
    email: 'boss@example.com',
    password: 'boss-password-123',
  });
  expect(signIn.error).toBeNull();
  const { data: factor, error } = await supabase.auth.mfa.enroll({ factorType: 'totp' });
  expect(error).toBeNull();
  const verified = await supabase.auth.mfa.challengeAndVerify({
    factorId: factor!.id,
    code: totp(factor!.totp.secret, clock.now() / 1000),
  });
  expect(verified.error).toBeNull();
  const aal = await supabase.auth.mfa.getAuthenticatorAssuranceLevel();
  expect(aal.data?.currentLevel).toBe('aal2');
  return verified.data!.access_token;
}

describe('an admin at aal2 gives an app client a role, and the client uses, rotates and loses it', () => {
  it('works end to end', async () => {
    const admin = await adminAtAal2();

    // A role with a parent, and a permission on it.
    const base = await call('/admin/roles', { token: admin, json: { name: 'reporting_base' } });
    expect(base.status).toBe(201);
    const role = await call('/admin/roles', {
      token: admin,
      json: { name: 'reporting', parent_id: base.body.id, description: 'Reads users' },
    });
    expect(role.status).toBe(201);
    const perms = await call('/admin/permissions?q=users:read', { token: admin });
    const usersRead = perms.body.data.find((p: { name: string }) => p.name === 'users:read');
    const given = await call(`/admin/roles/${role.body.id}/permissions/${usersRead.id}`, {
      token: admin,
      method: 'PUT',
    });
    expect(given.status).toBe(204);

    // An app client with that role; its secret is shown once.
    const created = await call('/admin/app-clients', {
      token: admin,
      json: { name: 'nightly-report', role_ids: [role.body.id] },
    });
    expect(created.status).toBe(201);
    const { client_id: id, client_secret: secret } = created.body;

    // A token by HTTP Basic; then a route its permission opens, and two it does not.
    const issued = await clientToken(id, secret);
    expect(issued.status).toBe(200);
    expect(issued.headers.get('cache-control')).toBe('no-store');
    expect(issued.body).toMatchObject({ token_type: 'Bearer', scope: 'users:read' });
    const token = issued.body.access_token as string;
    const users = await call('/api/users', { token });
    expect(users.status).toBe(200);
    expect(users.body.data.map((u: { email: string }) => u.email)).toContain('boss@example.com');
    const audit = await call('/api/audit-log', { token });
    expect(audit.status).toBe(403);
    expect(audit.body.detail).toBe('Missing permission: audit:read');
    const me = await call('/api/users/me', { token });
    expect(me.status).toBe(403);
    expect(me.body.detail).toBe('This route is for users only');

    // Rotation with an overlap: both secrets work until it ends, then only the new one.
    const rotated = await call(`/admin/app-clients/${id}/rotate-secret`, {
      token: admin,
      json: { overlap_seconds: 300 },
    });
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.client_secret as string;
    expect((await clientToken(id, secret)).status).toBe(200);
    expect((await clientToken(id, fresh)).status).toBe(200);
    clock.advance(300_000);
    const refused = await clientToken(id, secret);
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe('invalid_client');
    expect(refused.headers.get('www-authenticate')).toBe('Basic realm="auth"');
    const current = await clientToken(id, fresh);
    expect(current.status).toBe(200);
    const live = current.body.access_token as string;

    // Revoked at the auth function; the api function (another instance) refuses it within 10 s.
    expect((await call('/api/users', { token: live })).status).toBe(200);
    const revoke = await fetch(fn('/auth/token/revoke'), {
      method: 'POST',
      headers: {
        authorization: basic(id, fresh),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token: live, token_type_hint: 'access_token' }),
    });
    expect(revoke.status).toBe(200);
    clock.advance(10_000);
    const after = await call('/api/users', { token: live });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('invalid_token');

    // Every step left an event in the audit log.
    const events = await h.db.sql<{ action: string }[]>`
      select action from public.audit_log
       where action like 'role.%' or action like 'app_client.%' order by id`;
    expect(events.map((e) => e.action)).toEqual([
      'role.created',
      'role.created',
      'role.permission_added',
      'app_client.created',
      'app_client.token_issued',
      'app_client.secret_rotated',
      'app_client.token_issued',
      'app_client.token_issued',
      'app_client.auth_failed',
      'app_client.token_issued',
      'app_client.token_revoked',
    ]);
  }, 30_000);
});
