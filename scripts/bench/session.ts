import { DEMO_ANON_KEY } from '../local/keys.ts';
import type { LocalStack } from '../local/stack.ts';

export interface BenchUser {
  token: string;
  /** The access token's claims, as the API hands them to PostgreSQL. */
  claims: Record<string, unknown>;
  headers: Record<string, string>;
}

/** Registers and signs in a fresh user through the public API. */
export async function benchUser(stack: LocalStack, name: string): Promise<BenchUser> {
  const base = `${stack.gatewayUrl}/functions/v1`;
  const headers = { apikey: DEMO_ANON_KEY, 'content-type': 'application/json' };
  const email = `${name}-${Date.now()}@example.com`;
  const password = 'bench-password-1';
  const call = (path: string, body: unknown) =>
    fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const reg = await call('/auth/register', { email, password });
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${await reg.text()}`);
  await stack.auth.deps.db`update auth.users set email_confirmed_at = now() where email = ${email}`;
  const login = await call('/auth/login', { email, password });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${await login.text()}`);
  const { access_token: token } = (await login.json()) as { access_token: string };
  const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
  return { token, claims, headers: { ...headers, authorization: `Bearer ${token}` } };
}
