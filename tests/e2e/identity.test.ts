import { createHmac } from 'node:crypto';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { DEMO_ANON_KEY } from '../../scripts/local/keys.ts';
import { fragmentTokens, hop } from '../helpers/browser.ts';
import { OffsetClock } from '../helpers/clock.ts';
import { PASSWORD } from '../helpers/people.ts';
import { useLocalStack } from '../helpers/stack.ts';

// The identity journey as an SPA lives it: plain HTTP to `npm run dev`, mail from the
// stack's mailbox, confirmation links followed as a browser would.
// Runs with the machine's time, and jumps ahead where a test waits for a bound to pass.
const clock = new OffsetClock();
const h = useLocalStack(
  { INITIAL_ADMIN_EMAIL: 'owner@example.com', INITIAL_ADMIN_PASSWORD: 'owner-password-1' },
  { clock },
);

async function call(
  fn: string,
  path: string,
  init: { method?: string; json?: unknown; token?: string } = {},
) {
  const headers: Record<string, string> = { apikey: DEMO_ANON_KEY };
  // As supabase-js does: the user's token, or the anon key when signed out.
  headers.authorization = `Bearer ${init.token ?? DEMO_ANON_KEY}`;
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${h.stack.gatewayUrl}/functions/v1/${fn}${path}`, {
    method: init.method ?? (init.json !== undefined ? 'POST' : 'GET'),
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

async function login(email: string, password: string) {
  const res = await call('auth', '/login', { json: { email, password } });
  expect(res.status).toBe(200);
  return res.body as { access_token: string; refresh_token: string };
}

describe('register → confirm → login → profile → refresh → password → logout', () => {
  it('works end to end, and revoked credentials stop working', async () => {
    const email = `journey-${Date.now()}@example.com`;
    const registered = await call('auth', '/register', {
      json: { email, password: PASSWORD, username: 'journey_user', first_name: 'Ada' },
    });
    expect(registered.status).toBe(201);
    expect(registered.body.confirmation_required).toBe(true);
    expect((await call('auth', '/login', { json: { email, password: PASSWORD } })).body.code).toBe(
      'email_not_confirmed',
    );

    const [mail] = await h.mails(email);
    const landing = await hop(mail!.Link!);
    expect(fragmentTokens(landing.location!).type).toBe('signup');

    const session = await login(email, PASSWORD);
    const me = await call('api', '/users/me', { token: session.access_token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email, username: 'journey_user', first_name: 'Ada' });

    const updated = await call('api', '/users/me', {
      method: 'PUT',
      json: { last_name: 'Lovelace' },
      token: session.access_token,
    });
    expect(updated.status).toBe(200);
    expect(updated.body.last_name).toBe('Lovelace');

    const refreshed = await call('auth', '/refresh', {
      json: { refresh_token: session.refresh_token },
    });
    expect(refreshed.status).toBe(200);
    const current = refreshed.body as { access_token: string; refresh_token: string };

    const changed = await call('auth', '/password/update', {
      json: { password: 'second-password-456', current_password: PASSWORD },
      token: current.access_token,
    });
    expect(changed.status).toBe(204);
    expect((await call('auth', '/login', { json: { email, password: PASSWORD } })).status).toBe(
      401,
    );

    // Prime the api function's session cache, then sign out through the auth function: a
    // different instance, so the api learns of it from the database within its 10 s cache.
    expect((await call('api', '/users/me', { token: current.access_token })).status).toBe(200);
    const out = await call('auth', '/logout', {
      json: { scope: 'local' },
      token: current.access_token,
    });
    expect(out.status).toBe(204);
    expect(
      (await call('auth', '/refresh', { json: { refresh_token: current.refresh_token } })).status,
    ).toBe(401);

    // Another instance of the api function may have seen the session alive just before: its
    // answer holds for at most 10 seconds. Ten seconds on, the token is refused everywhere.
    clock.jumpTo(clock.now() + 10_000);
    expect((await call('api', '/users/me', { token: current.access_token })).status).toBe(401);
  });
});

describe('roles in tokens and route guards', () => {
  it('puts the admin role and its permissions in the token, and admins reach admin routes', async () => {
    const admin = await login('owner@example.com', 'owner-password-1');
    const claims = decodeJwt(admin.access_token);
    expect(claims.roles).toEqual(expect.arrayContaining(['admin', 'user']));
    expect(claims.permissions).toEqual(
      expect.arrayContaining(['users:read', 'audit:read', 'rbac:manage']),
    );
    expect((await call('api', '/users', { token: admin.access_token })).status).toBe(200);
    expect((await call('api', '/audit-log', { token: admin.access_token })).status).toBe(200);
  });

  it('refuses plain users on admin routes and anonymous callers on every protected route', async () => {
    const email = `plain-${Date.now()}@example.com`;
    const reg = await call('auth', '/register', { json: { email, password: PASSWORD } });
    expect(reg.status).toBe(201);
    await h.db.sql`update auth.users set email_confirmed_at = now() where email = ${email}`;
    const user = await login(email, PASSWORD);
    expect(decodeJwt(user.access_token).roles).toEqual(['user']);

    for (const fn of ['auth', 'api', 'admin', 'whatsapp']) {
      const doc = (await call(fn, '/openapi.json')).body as {
        paths: Record<string, Record<string, { security?: unknown[]; description?: string }>>;
      };
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          // OAuth endpoints authenticate clients by their credentials (tests/functions/auth).
          if (!op.security?.length || op.security.some((s) => 'clientBasic' in (s as object)))
            continue;
          const concrete = path
            .replace(`/${fn}`, '')
            .replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
          const json = ['post', 'put', 'patch'].includes(method) ? {} : undefined;
          const anon = await call(fn, concrete, { method: method.toUpperCase(), json });
          expect({ fn, method, path, status: anon.status }).toEqual({
            fn,
            method,
            path,
            status: 401,
          });
        }
      }
    }
    for (const path of ['/users', '/audit-log', '/users/00000000-0000-4000-8000-000000000000']) {
      expect((await call('api', path, { token: user.access_token })).status).toBe(403);
    }
  });
});

describe('bad tokens', () => {
  it('refuses tampered, expired, wrong-audience, alg none and HS/ES-confused tokens with 401', async () => {
    const admin = await login('owner@example.com', 'owner-password-1');
    const [head, body, sig] = admin.access_token.split('.') as [string, string, string];
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const claims = decodeJwt(admin.access_token);
    const jwks = (await (
      await fetch(`${h.stack.gatewayUrl}/auth/v1/.well-known/jwks.json`)
    ).json()) as { keys: unknown[] };
    const hsWithPublicKey = (() => {
      const header = b64({ alg: 'HS256', typ: 'JWT' });
      const payload = b64(claims);
      const mac = createHmac('sha256', JSON.stringify(jwks.keys[0]))
        .update(`${header}.${payload}`)
        .digest('base64url');
      return `${header}.${payload}.${mac}`;
    })();
    const now = Math.floor(Date.now() / 1000);
    const bad = {
      tampered: `${head}.${b64({ ...claims, sub: '00000000-0000-4000-8000-000000000000' })}.${sig}`,
      'bad signature': `${head}.${body}.${sig.slice(0, -3)}AAA`,
      expired: `${head}.${b64({ ...claims, exp: now - 60 })}.${sig}`,
      'wrong audience': `${head}.${b64({ ...claims, aud: 'someone-else' })}.${sig}`,
      'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
      'HS256 with the public key': hsWithPublicKey,
    };
    for (const [name, token] of Object.entries(bad)) {
      // Every function verifies tokens itself (verify_jwt is off at the gateway).
      const viaApi = await call('api', '/users/me', { token });
      expect({ name, status: viaApi.status, code: viaApi.body.code }).toEqual({
        name,
        status: 401,
        code: 'invalid_token',
      });
      const byFunction = await call('auth', '/logout', { json: {}, token });
      expect({ name, status: byFunction.status, code: byFunction.body.code }).toEqual({
        name,
        status: 401,
        code: 'invalid_token',
      });
    }
    expect((await call('api', '/users/me', { token: admin.access_token })).status).toBe(200);
  });
});
