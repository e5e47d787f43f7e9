import type { Clock } from '../../../shared/clock.ts';
import type { Sql } from '../../../shared/db/client.ts';
import { Meta, type Scope } from './db.ts';
import { ERRORS } from './errors.ts';
import type { ObjectFiles } from './files.ts';
import type { StorageSettings } from './settings.ts';

/** Verifies a caller's JWT and returns its claims, or throws (as the Auth emulator's keys do). */
export type VerifyJwt = (token: string) => Promise<Record<string, unknown>>;

export interface StorageDeps {
  sql: Sql;
  files: ObjectFiles;
  verifyJwt: VerifyJwt;
  /** The project's JWT secret, which signs URL tokens. */
  secret: Uint8Array;
  clock: Clock;
  settings: StorageSettings;
}

/**
 * How a route knows its caller, as Storage's routes do: `jwt` needs a valid JWT, `optional`
 * serves an invalid or missing one as anonymous, `none` has no caller (public and signed
 * URLs), `service` needs the service_role.
 */
export type AuthMode = 'jwt' | 'optional' | 'none' | 'service';

export interface Caller {
  /** False when no valid JWT came (an anonymous visitor, not the anon key). */
  authenticated: boolean;
  scope: Scope;
  /** The JWT's `sub`, recorded as the owner of what the caller writes. */
  owner: string | undefined;
}

const ANONYMOUS: Caller = {
  authenticated: false,
  scope: { role: 'anon', claims: { role: 'anon' }, jwt: '' },
  owner: undefined,
};

/** One request as a route handler sees it. */
export interface Ctx {
  request: Request;
  url: URL;
  params: Record<string, string>;
  /** The decoded `*` of the route: an object name. */
  wildcard: string;
  deps: StorageDeps;
  caller: Caller;
  /** The metadata database as this caller (see Meta). */
  meta: Meta;
}

/** Resolves the caller from `Authorization: Bearer <jwt>` by the route's rule. */
export async function resolveCaller(
  request: Request,
  mode: AuthMode,
  verifyJwt: VerifyJwt,
): Promise<Caller> {
  if (mode === 'none') return ANONYMOUS;
  const header = request.headers.get('authorization');
  if (header === null && mode !== 'optional') {
    throw ERRORS.validation("headers must have required property 'authorization'");
  }
  const jwt = (header ?? '').replace(/^Bearer\s+/i, '');
  if (!jwt && mode === 'optional') return ANONYMOUS;
  let claims: Record<string, unknown>;
  try {
    claims = await verifyJwt(jwt);
  } catch (err) {
    if (mode === 'optional') return ANONYMOUS;
    throw ERRORS.accessDenied(err instanceof Error ? err.message : undefined);
  }
  const role = typeof claims.role === 'string' && claims.role ? claims.role : 'anon';
  if (mode === 'service' && role !== 'service_role') {
    throw ERRORS.accessDenied('Access denied: Invalid role').withHttpStatus(403);
  }
  const owner = typeof claims.sub === 'string' ? claims.sub : undefined;
  return { authenticated: true, scope: { role, claims, jwt }, owner };
}

/** Builds the request's Meta with what policies may read about it. */
export function metaFor(deps: StorageDeps, request: Request, caller: Caller, operation: string) {
  const url = new URL(request.url);
  return new Meta(deps.sql, caller.scope, {
    method: request.method,
    path: url.pathname.replace(/^\/storage\/v1/, ''),
    operation,
    headers: Object.fromEntries(request.headers),
  });
}

/**
 * The request's JSON body. Empty is undefined when the route allows it, else refused as
 * Fastify refuses it; malformed JSON is a 400, never a 500.
 */
export async function readJson(request: Request, opts: { allowEmpty?: boolean } = {}) {
  const text = await request.text();
  if (!text.trim()) {
    if (opts.allowEmpty) return undefined;
    throw ERRORS.validation("Body cannot be empty when content-type is set to 'application/json'");
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw ERRORS.validation("Body is not valid JSON but content-type is set to 'application/json'");
  }
}
