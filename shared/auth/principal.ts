import type { DbClaims } from '../db/doors.ts';
import type { TokenClaims } from './verifier.ts';

export type Aal = 'aal1' | 'aal2';

/** Whoever is calling: every route sees one of these, never a raw token. */
export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'service' }
  | {
      kind: 'user';
      id: string;
      email: string;
      sessionId: string;
      aal: Aal;
      /**
       * A verified second factor exists but this session has not used it (aal1): only the
       * routes that lead to aal2 are open to it.
       */
      secondFactorPending: boolean;
      roles: string[];
      permissions: string[];
      claims: TokenClaims;
    }
  | {
      kind: 'app';
      id: string;
      roles: string[];
      permissions: string[];
      scopes: string[];
      claims: TokenClaims;
    };

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;

/** An app client calling with its client-credentials token. */
export type AppPrincipal = Extract<Principal, { kind: 'app' }>;

/** A caller the database can act as (`withCaller`): a user, or an app client. */
export type CallerPrincipal = UserPrincipal | AppPrincipal;

export const ANONYMOUS: Principal = { kind: 'anonymous' };

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x) => typeof x === 'string') : [];

/** A user principal from verified claims; `permissions` may come from the database instead. */
export function userPrincipal(
  claims: TokenClaims,
  opts: { permissions?: string[]; hasVerifiedFactor?: boolean } = {},
): UserPrincipal {
  const aal = claims.aal === 'aal2' ? 'aal2' : 'aal1';
  return {
    kind: 'user',
    id: String(claims.sub),
    email: typeof claims.email === 'string' ? claims.email : '',
    sessionId: String(claims.session_id),
    aal,
    secondFactorPending: aal === 'aal1' && opts.hasVerifiedFactor === true,
    roles: strings(claims.roles),
    permissions: opts.permissions ?? strings(claims.permissions),
    claims,
  };
}

/** What a caller holds now, as read from the database (`private.user_permissions` and kin). */
export interface Grants {
  roles: string[];
  permissions: string[];
}

/**
 * An app-client principal from verified token claims and the client's current grants: its
 * permissions are those it still holds, within the token's `scope`.
 */
export function appPrincipal(claims: TokenClaims, grants: Grants): AppPrincipal {
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
  return {
    kind: 'app',
    id: String(claims.sub),
    roles: grants.roles,
    permissions: grants.permissions.filter((p) => scopes.includes(p)),
    scopes,
    claims,
  };
}

/** Whether the principal holds `permission` (`resource:action`; `resource:*` grants all actions). */
export function can(principal: Principal, permission: string): boolean {
  if (principal.kind === 'service') return true;
  if (principal.kind !== 'user' && principal.kind !== 'app') return false;
  const resource = permission.split(':')[0];
  return principal.permissions.some((p) => p === permission || p === `${resource}:*`);
}

/**
 * The claims Postgres sees for this principal, so RLS judges the same caller. An app client
 * is `client_id` = `sub`, which `private.authorize()` reads as a client, within its `scope`.
 */
export function dbClaims(principal: CallerPrincipal): DbClaims {
  if (principal.kind === 'app') {
    return {
      ...principal.claims,
      sub: principal.id,
      role: 'authenticated',
      client_id: principal.id,
    };
  }
  return { ...principal.claims, sub: principal.id, role: 'authenticated' };
}
