import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEMO_ANON_KEY,
  DEMO_JWT_SECRET,
  DEMO_SERVICE_ROLE_KEY,
} from '../../../scripts/local/keys.ts';
import type { Pool } from '../../../shared/db/client.ts';
import { buildApiApp } from '../../../shared/functions/api/app.ts';
import { createLogger } from '../../../shared/log.ts';
import { createServices } from '../../../shared/runtime/services.ts';
import { testConfig } from '../../helpers/app.ts';
import { SUPABASE_URL } from '../../helpers/auth-emulator.ts';
import { ManualClock } from '../../helpers/clock.ts';
import { useFunctions } from '../../helpers/functions.ts';
import { appClientFixtures } from '../auth/app-clients.ts';
import { fixtures } from './fixtures.ts';

const clock = new ManualClock();
const fx = useFunctions(
  { GOTRUE_MAILER_AUTOCONFIRM: 'true', GOTRUE_RATE_LIMIT_SIGN_IN_SIGN_UPS: '0' },
  { AUTH_RATE_LIMIT_PER_IP: 0 },
  { clock },
);
const { signUp, admin, api } = fixtures(fx);
const { seedClient, tokenFor, roleWith } = appClientFixtures(fx);

describe('app clients on the api function', () => {
  it('read users and the audit log through RLS, as a user with the permissions would', async () => {
    const someone = await signUp();
    const client = await seedClient({ permissions: ['users:read', 'audit:read'] });
    const token = await tokenFor(client);
    const list = await api('/users?limit=100', { token });
    expect(list.status).toBe(200);
    expect(list.body.data.map((u: { id: string }) => u.id)).toContain(someone.id);
    const one = await api(`/users/${someone.id}`, { token });
    expect(one.body).toMatchObject({ id: someone.id, email: someone.email });
    const log = await api('/audit-log?action=app_client.*', { token });
    expect(log.body.data.map((e: { actor_id: string }) => e.actor_id)).toContain(client.id);
  });

  it('see only what their token’s scope covers, in the route check and in RLS', async () => {
    const client = await seedClient({ permissions: ['users:read', 'audit:read'] });
    const narrow = await tokenFor(client, 'audit:read');
    expect((await api('/users', { token: narrow })).status).toBe(403);
    expect((await api('/audit-log', { token: narrow })).status).toBe(200);
  });
});

describe('a changed role reaches the API within 10 seconds', () => {
  it('for an app client: a role taken away in another instance', async () => {
    const client = await seedClient({ permissions: ['users:read'] });
    const token = await tokenFor(client);
    expect((await api('/users', { token })).status).toBe(200);
    await fx.auth.db.sql`delete from public.app_client_roles where app_client_id = ${client.id}`;
    clock.advance(9_000);
    // Still served from what this instance read; RLS already shows nothing.
    const stale = await api('/users', { token });
    expect(stale.status).toBe(200);
    expect(stale.body.data).toEqual([]);
    clock.advance(1_000);
    expect((await api('/users', { token })).status).toBe(403);
  });

  it('for a user: a permission given to their role, with the token they already hold', async () => {
    const user = await signUp();
    expect((await api('/audit-log', { token: user.token })).status).toBe(403);
    const role = await roleWith(['audit:read']);
    await fx.auth.db.sql`insert into public.user_roles (user_id, role_id)
                         select ${user.id}, id from public.roles where name = ${role}`;
    clock.advance(10_000);
    expect((await api('/audit-log', { token: user.token })).status).toBe(200);
    // And taken away again.
    await fx.auth.db.sql`delete from public.user_roles ur using public.roles r
                          where ur.role_id = r.id and r.name = ${role}`;
    clock.advance(10_000);
    expect((await api('/audit-log', { token: user.token })).status).toBe(403);
  });
});

describe('the liveness checks cost no round trip per request', () => {
  let queries: string[] = [];
  let pool: Pool | undefined;
  afterAll(async () => {
    // As a function instance closes: queries in flight get a few seconds, then the sockets go.
    await pool?.end({ timeout: 5 });
  });

  it('asks the database about a token once per 5–10 s, not once per request', async () => {
    pool = postgres(fx.auth.db.url, {
      prepare: false,
      max: 4,
      onnotice: () => {},
      debug: (_conn, query) => {
        queries.push(query);
      },
    }) as unknown as Pool;
    const config = testConfig({
      SUPABASE_URL,
      SUPABASE_DB_URL: fx.auth.db.url,
      SUPABASE_ANON_KEY: DEMO_ANON_KEY,
      SUPABASE_SERVICE_ROLE_KEY: DEMO_SERVICE_ROLE_KEY,
      SUPABASE_JWT_SECRET: DEMO_JWT_SECRET,
      LOG_LEVEL: 'silent',
    });
    const services = createServices(config, { dbName: 'counted', clock, db: pool });
    const app = buildApiApp({ config, log: createLogger({ level: 'silent' }), services });
    const get = (token: string) =>
      app.request('/api/users?limit=1', {
        headers: { authorization: `Bearer ${token}` },
      });
    const checks = (pattern: RegExp) => queries.filter((q) => pattern.test(q)).length;

    const boss = await admin();
    const client = await seedClient({ permissions: ['users:read'] });
    const appToken = await tokenFor(client);
    for (const token of [boss.token, appToken]) expect((await get(token)).status).toBe(200);
    queries = [];
    const ROUNDS = 20;
    for (let i = 0; i < ROUNDS; i++) {
      for (const token of [boss.token, appToken]) expect((await get(token)).status).toBe(200);
      clock.advance(200); // 20 rounds: 4 s, inside the first half of the 10 s window
    }
    // Each request runs its own query (the page of users) and nothing else.
    expect(checks(/public\.profiles/)).toBe(2 * ROUNDS);
    expect(checks(/session_active|user_roles_flat|app_token_state|published_signing_keys/)).toBe(0);

    // Past half the window, one background refresh per key, still off the request's path.
    clock.advance(2_000);
    for (const token of [boss.token, appToken]) expect((await get(token)).status).toBe(200);
    // The refreshes run after the answers; wait until they have gone out (a bound, not a timing).
    const deadline = Date.now() + 5_000;
    const refreshes = /session_active|user_roles_flat|app_token_state/;
    while (checks(refreshes) < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(checks(/session_active/)).toBe(1);
    expect(checks(/user_roles_flat/)).toBe(1);
    expect(checks(/app_token_state/)).toBe(1);
  });
});
