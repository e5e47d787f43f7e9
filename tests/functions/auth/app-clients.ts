import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { FunctionsHarness } from '../../helpers/functions.ts';

export interface SeededClient {
  id: string;
  secret: string;
  name: string;
}

/** `Authorization: Basic` for a client, form-urlencoded first as RFC 6749 §2.3.1 asks. */
export const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** A JWT's header and claims, unverified. */
export const jwtParts = (token: string) => ({
  header: decodeProtectedHeader(token),
  claims: decodeJwt(token),
});

/** App clients arranged in SQL, so no route under test builds them. */
export function appClientFixtures(fx: FunctionsHarness) {
  const sql = () => fx.auth.db.sql;

  /** A role holding `permissions` (created when missing); returns its name. */
  async function roleWith(permissions: string[], name = `r_${randomUUID().slice(0, 8)}`) {
    await sql()`insert into public.roles (name) values (${name})`;
    for (const p of permissions) {
      await sql()`insert into public.permissions (name) values (${p}) on conflict do nothing`;
      await sql()`insert into public.role_permissions (role_id, permission_id)
                  select r.id, pm.id from public.roles r, public.permissions pm
                   where r.name = ${name} and pm.name = ${p}`;
    }
    return name;
  }

  /** A client with one secret and a fresh role holding `permissions`. */
  async function seedClient(
    opts: {
      permissions?: string[];
      enabled?: boolean;
      allowedScopes?: string[] | null;
      lifetime?: number;
      quota?: number;
    } = {},
  ): Promise<SeededClient> {
    const name = `client-${randomUUID().slice(0, 8)}`;
    const [row] = await sql()<{ id: string }[]>`
      insert into public.app_clients
        (name, enabled, allowed_scopes, token_lifetime_seconds, token_quota_per_hour)
      values (${name}, ${opts.enabled ?? true}, ${opts.allowedScopes ?? null},
              ${opts.lifetime ?? 3600}, ${opts.quota ?? 1000})
      returning id`;
    const id = row!.id;
    if (opts.permissions?.length) {
      const role = await roleWith(opts.permissions);
      await sql()`insert into public.app_client_roles (app_client_id, role_id)
                  select ${id}, id from public.roles where name = ${role}`;
    }
    const secret = randomBytes(32).toString('base64url');
    await sql()`insert into private.app_client_secrets (app_client_id, secret_hash, created_at)
                values (${id}, ${createHash('sha256').update(secret).digest()}, now())`;
    return { id, secret, name };
  }

  /** POST to an OAuth endpoint of the auth function with a form body. */
  async function oauth(
    path: string,
    form: Record<string, string>,
    headers: Record<string, string> = {},
  ) {
    const res = await fx.call('auth', path, { form, headers });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }

  /** A token for the client through the token endpoint (HTTP Basic). */
  async function tokenFor(client: SeededClient, scope?: string): Promise<string> {
    const res = await oauth(
      '/token',
      { grant_type: 'client_credentials', ...(scope ? { scope } : {}) },
      { authorization: basic(client.id, client.secret) },
    );
    if (res.status !== 200) throw new Error(`token: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.access_token;
  }

  return { roleWith, seedClient, oauth, tokenFor };
}
