import { spawnSync } from 'node:child_process';
import { createClient } from '@supabase/supabase-js';
import { Hono } from 'hono';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionsRequiringJwt } from '../../scripts/local/function-settings.ts';
import { createGateway } from '../../scripts/local/gateway.ts';
import { DEMO_ANON_KEY } from '../../scripts/local/keys.ts';
import type { LocalStack } from '../../scripts/local/stack.ts';
import type { App } from '../../shared/http/context.ts';
import { useTestDatabase } from '../helpers/db.ts';
import { useLocalStack } from '../helpers/stack.ts';

const db = useTestDatabase();

describe('the local stack', () => {
  const h = useLocalStack({
    INITIAL_ADMIN_EMAIL: 'root@example.com',
    INITIAL_ADMIN_PASSWORD: 'first-admin-password',
  });
  const db = h.db;
  let stack: LocalStack;
  const steps = h.steps;
  beforeAll(() => {
    stack = h.stack;
  });

  it('reports each step as it starts', () => {
    expect(steps).toEqual([
      'database',
      'migrations',
      'auth',
      'mail',
      'storage',
      'realtime',
      'gateway',
      'admin',
    ]);
  });

  it("passes the client's address to functions in X-Forwarded-For, as Supabase's edge does", async () => {
    const res = await fetch(`${stack.gatewayUrl}/functions/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.7' },
      body: JSON.stringify({ email: 'root@example.com', password: 'first-admin-password' }),
    });
    expect(res.status).toBe(200);
    const [row] = await db.sql`
      select host(ip) as ip from public.audit_log where action = 'auth.login.succeeded'
       order by id desc limit 1`;
    // The address the client claimed comes first; the one the gateway saw is trusted.
    expect(row?.ip).toBe('127.0.0.1');
  });

  it('serves the Auth mailbox', async () => {
    const email = `mailbox-${Date.now()}@example.com`;
    const supabase = createClient(stack.gatewayUrl, DEMO_ANON_KEY, {
      auth: { persistSession: false },
    });
    await supabase.auth.signUp({ email, password: 'a-long-password' });
    const [mail] = await h.mails(email);
    expect(mail?.Subject).toBe('Confirm Your Signup');
    expect(mail?.Link).toContain('/auth/v1/verify?token=');
    const page = await fetch(`${stack.gatewayUrl}/mailbox`);
    expect(await page.text()).toContain(email);
  });

  it('serves the LLM emulator at /llm/v1, as an OpenAI-compatible API', async () => {
    const res = await fetch(`${stack.gatewayUrl}/llm/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer local', 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'flutter-studio-emulator',
        messages: [{ role: 'user', content: 'Request:\na counter' }],
      }),
    });
    expect(res.status).toBe(200);
    const reply = JSON.parse((await res.json()).choices[0].message.content);
    expect(reply.summary).toContain('LLM emulator');
    expect(reply.files[0].path).toBe('lib/main.dart');
  });

  it('creates the initial admin, who signs in with the admin role in the token', async () => {
    const [row] = await db.sql`
      select u.email, u.email_confirmed_at is not null as confirmed from public.user_roles ur
        join public.roles r on r.id = ur.role_id join auth.users u on u.id = ur.user_id
       where r.name = 'admin'`;
    expect(row).toEqual({ email: 'root@example.com', confirmed: true });
    const supabase = createClient(stack.gatewayUrl, DEMO_ANON_KEY, {
      auth: { persistSession: false },
    });
    const { data, error } = await supabase.auth.signInWithPassword({
      email: 'root@example.com',
      password: 'first-admin-password',
    });
    expect(error).toBeNull();
    const claims = decodeJwt<{ roles: string[]; permissions: string[] }>(
      data.session!.access_token,
    );
    expect(claims.roles).toContain('admin');
    expect(claims.permissions).toContain('users:delete');
  });

  it('serves every function under /functions/v1/<name>', async () => {
    for (const name of stack.functions) {
      const res = await fetch(`${stack.gatewayUrl}/functions/v1/${name}/health`, {
        headers: { authorization: `Bearer ${DEMO_ANON_KEY}` },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ok', function: name });
    }
  });

  it('leaves every function open at the gateway, as config.toml says, so each checks tokens itself', async () => {
    expect(functionsRequiringJwt()).toEqual(new Set());
    const forged = `Bearer ${DEMO_ANON_KEY.slice(0, -4)}AAAA`;
    for (const name of ['auth', 'api', 'admin', 'whatsapp']) {
      const res = await fetch(`${stack.gatewayUrl}/functions/v1/${name}/health`);
      expect(res.status).toBe(200);
    }
    for (const [name, path] of [
      ['api', '/users/me'],
      ['admin', '/roles'],
    ]) {
      const res = await fetch(`${stack.gatewayUrl}/functions/v1/${name}${path}`, {
        headers: { authorization: forged },
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      expect((await res.json()).code).toBe('invalid_token');
    }
  });

  it('guards a function with verify_jwt as Supabase does, when config.toml asks for it', async () => {
    const fn = new Hono().get('/guarded/health', (c) => c.text('ok'));
    const gateway = createGateway({
      functions: { guarded: fn as unknown as App },
      jwtRequired: new Set(['guarded']),
      verifyJwt: async (token) => {
        if (token !== DEMO_ANON_KEY) throw new Error('invalid');
      },
      services: {},
    });
    const call = (authorization?: string) =>
      gateway.request('/functions/v1/guarded/health', {
        headers: authorization ? { authorization } : {},
      });
    const missing = await call();
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ code: 401, message: 'Missing authorization header' });
    const forged = await call(`Bearer ${DEMO_ANON_KEY.slice(0, -4)}AAAA`);
    expect(await forged.json()).toEqual({ code: 401, message: 'Invalid JWT' });
    expect((await call(`Bearer ${DEMO_ANON_KEY}`)).status).toBe(200);
  });

  it('serves Supabase Auth at /auth/v1 behind the apikey check', async () => {
    const health = (headers: Record<string, string>) =>
      fetch(`${stack.gatewayUrl}/auth/v1/health`, { headers });
    const ok = await health({ apikey: DEMO_ANON_KEY });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ name: 'GoTrue' });
    const none = await health({});
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ message: 'No API key found in request' });
    const wrong = await health({ apikey: 'not-a-key' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ message: 'Invalid API key' });
  });

  it('lets supabase-js sign up and sign in through the gateway', async () => {
    const supabase = createClient(stack.gatewayUrl, DEMO_ANON_KEY, {
      auth: { persistSession: false, autoRefreshToken: false },
    });
    const email = `stack-${Date.now()}@example.com`;
    const signUp = await supabase.auth.signUp({ email, password: 'a-long-password' });
    expect(signUp.error).toBeNull();
    expect(signUp.data.session).toBeNull();
    expect(stack.auth.deps.mailbox.latest(email, 'confirmation')?.link).toContain(
      `${stack.gatewayUrl}/auth/v1/verify`,
    );
    const signIn = await supabase.auth.signInWithPassword({ email, password: 'a-long-password' });
    expect(signIn.error).toMatchObject({ status: 400, code: 'email_not_confirmed' });
  });

  it('forwards request bodies and answers malformed JSON with problem+json', async () => {
    const res = await fetch(`${stack.gatewayUrl}/functions/v1/api/anything`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${DEMO_ANON_KEY}` },
      body: '{"a":',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      code: 'malformed_json',
      request_id: expect.any(String),
    });
  });

  it('serves the Graph API emulator at /graph, handing out media URLs under it', async () => {
    const graph = `${stack.gatewayUrl}/graph/v25.0`;
    const auth = { authorization: 'Bearer local-token' };
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('file', new Blob(['hello'], { type: 'text/plain' }));
    const upload = await fetch(`${graph}/1234567890/media`, {
      method: 'POST',
      headers: auth,
      body: form,
    });
    const { id } = (await upload.json()) as { id: string };
    const info = (await (await fetch(`${graph}/${id}`, { headers: auth })).json()) as {
      url: string;
    };
    expect(info.url.startsWith(`${stack.gatewayUrl}/graph/whatsapp_business/attachments/`)).toBe(
      true,
    );
    const download = await fetch(info.url, { headers: auth });
    expect(await download.text()).toBe('hello');
    const anonymous = await fetch(`${graph}/${id}`);
    expect(((await anonymous.json()) as { error: { code: number } }).error.code).toBe(104);
  });

  it('answers an unknown function as Supabase does', async () => {
    const res = await fetch(`${stack.gatewayUrl}/functions/v1/missing/health`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      code: 'NOT_FOUND',
      message: 'Requested function was not found',
    });
  });
});

describe('npm run dev with a bad environment', () => {
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['scripts/dev.ts'], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });

  it('fails at once, naming every malformed variable', () => {
    const out = run({ DATABASE_URL: 'mysql://root@localhost/app', GATEWAY_PORT: 'eighty' });
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('DATABASE_URL: must be a postgres:// connection URL');
    expect(out.stderr).toContain('GATEWAY_PORT');
    expect(out.stdout).not.toContain('Ready');
  });

  it('fails at once when a required value is too weak', () => {
    const out = run({ JWT_SECRET: 'short' });
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('JWT_SECRET: must be at least 32 characters');
  });
});

describe('npm run db:migrate', () => {
  const run = (env: Record<string, string | undefined>) =>
    spawnSync(process.execPath, ['scripts/migrate.ts'], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });

  it('fails at once without DATABASE_URL, naming it', () => {
    const out = run({ DATABASE_URL: undefined });
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('DATABASE_URL: is required but not set');
  });

  it('finds an already migrated database up to date, without printing its password', () => {
    const out = run({ DATABASE_URL: db.url });
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('up to date');
    expect(out.stdout).not.toContain(':postgres@');
  });
});
