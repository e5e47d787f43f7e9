import { createHash, randomBytes } from 'node:crypto';
import { DEMO_ANON_KEY } from '../local/keys.ts';
import type { LocalStack } from '../local/stack.ts';

export interface BenchUser {
  email: string;
  password: string;
  token: string;
  refreshToken: string;
  /** The access token's claims, as the API hands them to PostgreSQL. */
  claims: Record<string, unknown>;
  headers: Record<string, string>;
}

/** Registers and signs in a fresh user through the public API. */
export async function benchUser(stack: LocalStack, name: string): Promise<BenchUser> {
  const base = `${stack.gatewayUrl}/functions/v1`;
  const headers = { apikey: DEMO_ANON_KEY, 'content-type': 'application/json' };
  const email = `${name}-${Date.now()}-${randomBytes(3).toString('hex')}@example.com`;
  const password = 'bench-password-1';
  const call = (path: string, body: unknown) =>
    fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const reg = await call('/auth/register', { email, password });
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${await reg.text()}`);
  await stack.auth.deps.db`update auth.users set email_confirmed_at = now() where email = ${email}`;
  const login = await call('/auth/login', { email, password });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${await login.text()}`);
  const { access_token: token, refresh_token: refreshToken } = (await login.json()) as {
    access_token: string;
    refresh_token: string;
  };
  const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
  return {
    email,
    password,
    token,
    refreshToken,
    claims,
    headers: { ...headers, authorization: `Bearer ${token}` },
  };
}

/**
 * An app client holding the admin role (so `users:read`), made in SQL, and the headers of
 * its client-credentials token from the auth function.
 */
export async function benchAppClient(stack: LocalStack): Promise<Record<string, string>> {
  const db = stack.auth.deps.db;
  const secret = randomBytes(32).toString('base64url');
  const [client] = await db<{ id: string }[]>`
    insert into public.app_clients (name) values (${`bench-${Date.now()}`}) returning id`;
  const id = client?.id as string;
  await db`insert into public.app_client_roles (app_client_id, role_id)
           select ${id}, r.id from public.roles r where r.name = 'admin'`;
  await db`insert into private.app_client_secrets (app_client_id, secret_hash, created_at)
           values (${id}, ${createHash('sha256').update(secret).digest()}, now())`;
  const res = await fetch(`${stack.gatewayUrl}/functions/v1/auth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${await res.text()}`);
  const { access_token: token } = (await res.json()) as { access_token: string };
  return { apikey: DEMO_ANON_KEY, authorization: `Bearer ${token}` };
}

/** A user holding the admin role (so `users:read`), signed in after the grant. */
export async function benchAdmin(stack: LocalStack): Promise<Record<string, string>> {
  const user = await benchUser(stack, 'bench-admin');
  const sub = String(user.claims.sub);
  await stack.auth.deps.db`insert into public.user_roles (user_id, role_id)
                           select ${sub}, r.id from public.roles r where r.name = 'admin'`;
  return user.headers;
}
