import type { Grants } from '../auth/principal.ts';
import type { Tx } from '../db/client.ts';

/** What the token endpoint needs to know about a client. */
export interface ClientCredentials {
  enabled: boolean;
  allowedScopes: string[] | null;
  tokenLifetimeSeconds: number;
  tokenQuotaPerHour: number;
  /** SHA-256 of every secret valid at the time asked. */
  secretHashes: Uint8Array[];
  roles: string[];
  permissions: string[];
}

/**
 * A client's state for issuing a token, at `now` (which secrets are valid), or undefined for
 * an unknown client. Service role only.
 */
export async function clientCredentials(
  tx: Tx,
  clientId: string,
  now: Date,
): Promise<ClientCredentials | undefined> {
  // Disabled clients come back with no permissions, and `enabled` false.
  const [row] = await tx<ClientCredentials[]>`
    select enabled, allowed_scopes as "allowedScopes",
           token_lifetime_seconds as "tokenLifetimeSeconds",
           token_quota_per_hour as "tokenQuotaPerHour", secret_hashes as "secretHashes",
           roles, permissions
      from private.app_client_credentials(${clientId}::uuid, ${now})`;
  return row;
}

/** The verdict on one token against a client's hourly quota. */
export interface QuotaHit {
  allowed: boolean;
  remaining: number;
  resetAt: Date;
}

/** Counts one token for the client in the clock hour of `now`. Service role only. */
export async function countTokenIssued(
  tx: Tx,
  clientId: string,
  now: Date,
  limit: number,
): Promise<QuotaHit> {
  // Exactly `limit` tokens per client and hour see allowed = true, however many race.
  const [row] = await tx<QuotaHit[]>`
    select allowed, remaining, reset_at as "resetAt"
      from private.app_client_token_issued(${clientId}::uuid, ${now}, ${limit}::int)`;
  if (!row) throw new Error('app_client_token_issued returned no row');
  return row;
}

/**
 * Whether a client's token may still be used (the client exists and is enabled, the token is
 * not revoked), with the client's current grants. Service role only.
 */
export async function appTokenState(
  tx: Tx,
  clientId: string,
  jti: string,
): Promise<Grants & { active: boolean }> {
  // One row always: an unknown client is simply inactive.
  const [row] = await tx<Array<Grants & { active: boolean }>>`
    select active, roles, permissions
      from private.app_token_state(${clientId}::uuid, ${jti}::uuid)`;
  return row ?? { active: false, roles: [], permissions: [] };
}

/** Revokes one token of the client until `expiresAt`; true when newly revoked. Service role only. */
export async function revokeAppToken(
  tx: Tx,
  clientId: string,
  jti: string,
  now: Date,
  expiresAt: Date,
): Promise<boolean> {
  // Idempotent: revoking twice changes nothing.
  const [row] = await tx<{ revoked: boolean }[]>`
    select private.revoke_app_token(${clientId}::uuid, ${jti}::uuid, ${now}, ${expiresAt})
           as revoked`;
  return row?.revoked ?? false;
}
