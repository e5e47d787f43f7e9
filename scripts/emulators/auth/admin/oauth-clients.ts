import { createHash, randomBytes } from 'node:crypto';
import type { EmuContext } from '../context.ts';
import { AuthError, badRequest, notFound } from '../errors.ts';
import { isUuid } from '../mfa/factors.ts';
import type { Db } from '../users.ts';
import {
  AUTH_METHODS,
  checkDescriptors,
  checkGrantTypes,
  checkRedirectUris,
  goList,
  methodsForType,
  typeForMethod,
} from './oauth-client-rules.ts';

/** A row of `auth.oauth_clients`, as GoTrue's migrations define it. */
export interface ClientRow {
  id: string;
  client_secret_hash: string | null;
  registration_type: 'dynamic' | 'manual';
  client_type: 'public' | 'confidential';
  token_endpoint_auth_method: string;
  redirect_uris: string;
  grant_types: string;
  client_name: string | null;
  client_uri: string | null;
  logo_uri: string | null;
  created_at: Date;
  updated_at: Date;
}

const split = (v: string) => (v ? v.split(',') : []);

/** GoTrue's `OAuthServerClientResponse`; empty optional fields are left out, as Go's omitempty. */
export function clientJson(row: ClientRow, secret?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    client_id: row.id,
    client_secret: secret,
    client_type: row.client_type,
    redirect_uris: split(row.redirect_uris),
    token_endpoint_auth_method: row.token_endpoint_auth_method,
    grant_types: split(row.grant_types),
    response_types: ['code'],
    client_name: row.client_name ?? undefined,
    client_uri: row.client_uri ?? undefined,
    logo_uri: row.logo_uri ?? undefined,
    registration_type: row.registration_type,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
  for (const [k, v] of Object.entries(out))
    if (v === undefined || v === '' || (Array.isArray(v) && !v.length)) delete out[k];
  return out;
}

/** A new secret: 32 random bytes, base64url; only its SHA-256 is stored, as in GoTrue. */
export function newSecret(): { secret: string; hash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { secret, hash: createHash('sha256').update(secret).digest('base64url') };
}

const invalidJson = () => badRequest('bad_json', 'Invalid JSON body');

/**
 * The body as Go's `json.Decoder` reads it into GoTrue's params: an object whose known
 * fields have the declared types (null counts as absent), anything else "Invalid JSON body".
 */
export async function decodeParams(c: EmuContext, fields: Record<string, 'string' | 'strings'>) {
  let raw: unknown;
  try {
    raw = JSON.parse(await c.req.text());
  } catch {
    throw invalidJson();
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw invalidJson();
  const out: Record<string, string | string[] | undefined> = {};
  for (const [name, kind] of Object.entries(fields)) {
    const value = (raw as Record<string, unknown>)[name];
    if (value === undefined || value === null) continue;
    const ok =
      kind === 'string'
        ? typeof value === 'string'
        : Array.isArray(value) && value.every((v) => typeof v === 'string');
    if (!ok) throw invalidJson();
    out[name] = value as string | string[];
  }
  return out;
}

export interface RegisterParams {
  redirect_uris?: string[];
  client_type?: string;
  token_endpoint_auth_method?: string;
  grant_types?: string[];
  client_name?: string;
  client_uri?: string;
  logo_uri?: string;
}

/** GoTrue's `OAuthServerClientRegisterParams.validate`, in its order. */
function checkRegister(p: RegisterParams): void {
  checkRedirectUris(p.redirect_uris ?? [], true);
  if (p.grant_types?.length) checkGrantTypes(p.grant_types);
  checkDescriptors(p);
  const type = p.client_type ?? '';
  const method = p.token_endpoint_auth_method ?? '';
  if (type && type !== 'public' && type !== 'confidential')
    throw badRequest('validation_failed', "client_type must be 'public' or 'confidential'");
  if (method && !AUTH_METHODS.includes(method))
    throw badRequest(
      'validation_failed',
      `token_endpoint_auth_method must be one of: ${goList(AUTH_METHODS)}`,
    );
  if (type && method && typeForMethod(method) !== type)
    throw badRequest(
      'validation_failed',
      `client_type '${type}' is inconsistent with token_endpoint_auth_method '${method}' (expected client_type '${typeForMethod(method)}')`,
    );
}

/**
 * GoTrue's `registerOAuthServerClient`: validated, then stored with defaults (both grant
 * types; confidential with `client_secret_basic` unless said otherwise). A refused
 * registration is 400 `validation_failed` whose message carries the inner error's status,
 * exactly as GoTrue wraps it.
 */
export async function registerClient(
  db: Db,
  p: RegisterParams,
  registration: 'dynamic' | 'manual',
  at: Date,
) {
  try {
    checkRegister(p);
  } catch (err) {
    if (err instanceof AuthError)
      throw badRequest('validation_failed', `${err.status}: ${err.message}`);
    throw err;
  }
  const method = p.token_endpoint_auth_method ?? '';
  const type = p.client_type || (method ? typeForMethod(method) : 'confidential');
  const authMethod = method || (type === 'public' ? 'none' : 'client_secret_basic');
  const secret = type === 'confidential' ? newSecret() : undefined;
  const grants = p.grant_types?.length ? p.grant_types : ['authorization_code', 'refresh_token'];
  const [row] = await db<ClientRow[]>`
    insert into auth.oauth_clients (id, client_secret_hash, registration_type, client_type,
      token_endpoint_auth_method, redirect_uris, grant_types, client_name, client_uri, logo_uri,
      created_at, updated_at)
    values (gen_random_uuid(), ${secret?.hash ?? null}, ${registration}, ${type}, ${authMethod},
      ${(p.redirect_uris ?? []).join(',')}, ${grants.join(',')}, ${p.client_name || null},
      ${p.client_uri || null}, ${p.logo_uri || null}, ${at}, ${at})
    returning *`;
  return clientJson(row as ClientRow, secret?.secret);
}

/** GoTrue's `LoadOAuthServerClient`: a UUID naming a client that was not deleted. */
export async function loadClient(db: Db, id: string): Promise<ClientRow> {
  if (!id) throw badRequest('validation_failed', 'client_id is required');
  if (!isUuid(id)) throw badRequest('validation_failed', 'invalid client_id format');
  const [row] = await db<ClientRow[]>`
    select * from auth.oauth_clients where id = ${id} and deleted_at is null`;
  if (!row) throw notFound('oauth_client_not_found', 'OAuth client not found');
  return row;
}

export { methodsForType };
