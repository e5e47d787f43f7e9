import type { Tx } from '../db/client.ts';

/** A Supabase Auth session as the sessions API shows it (no tokens). */
export interface SessionInfo {
  id: string;
  userId: string;
  createdAt: Date | null;
  updatedAt: Date | null;
  refreshedAt: Date | null;
  userAgent: string | null;
  ip: string | null;
  aal: 'aal1' | 'aal2' | 'aal3' | null;
  notAfter: Date | null;
}

/** True for the error the session functions raise when the caller may not act (42501). */
export function isInsufficientPrivilege(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '42501';
}

/**
 * Lists a user's sessions, newest first. Allowed for the user themselves (`asUser`), a
 * holder of `sessions:read`, or the service role; otherwise it throws an error with code
 * 42501 (see `isInsufficientPrivilege`).
 */
export async function listSessions(tx: Tx, userId: string): Promise<SessionInfo[]> {
  // Only the owner, sessions:read or service_role get rows; anyone else gets 42501.
  return tx<SessionInfo[]>`
    select id, user_id as "userId", created_at as "createdAt", updated_at as "updatedAt",
           refreshed_at as "refreshedAt", user_agent as "userAgent", host(ip) as ip, aal,
           not_after as "notAfter"
      from private.list_sessions(${userId}::uuid)`;
}

/**
 * Ends a session and its refresh tokens. Returns false when no such session exists; throws
 * 42501 when the caller is neither its owner nor holds `sessions:revoke` nor is the service.
 */
export async function revokeSession(tx: Tx, sessionId: string): Promise<boolean> {
  // Owner, sessions:revoke or service_role; the refresh tokens go with the session.
  const [row] = await tx<{ ok: boolean }[]>`
    select private.revoke_session(${sessionId}::uuid) as ok`;
  return row?.ok ?? false;
}

/**
 * "Sign out everywhere else": ends every session of the calling user (`asUser`) except
 * `keep`, usually the session id from their JWT. Returns how many ended.
 */
export async function revokeOtherSessions(tx: Tx, keep: string | null): Promise<number> {
  // Touches only auth.uid()'s sessions, never another user's.
  const [row] = await tx<{ n: number }[]>`
    select private.revoke_other_sessions(${keep}::uuid) as n`;
  return row?.n ?? 0;
}

/**
 * Whether a session still exists and has not passed `not_after`: the API's check that a
 * still-valid JWT does not belong to a revoked session. Service role only (`asService`).
 */
export async function sessionActive(tx: Tx, sessionId: string): Promise<boolean> {
  // A deleted (revoked, signed-out) or expired session is inactive.
  const [row] = await tx<{ active: boolean }[]>`
    select private.session_active(${sessionId}::uuid) as active`;
  return row?.active ?? false;
}

/**
 * Whether the user has a verified MFA factor, so their aal1 sessions must step up before
 * anything else. Service role only (`asService`).
 */
export async function hasVerifiedFactor(tx: Tx, userId: string): Promise<boolean> {
  // Unverified factors (enrolment not finished) do not count.
  const [row] = await tx<{ yes: boolean }[]>`
    select private.has_verified_factor(${userId}::uuid) as yes`;
  return row?.yes ?? false;
}
