import type postgres from 'postgres';
import type { SealedKey } from '../auth/app-tokens.ts';
import type { Tx } from '../db/client.ts';
import {
  type Keyset,
  keysetAfter,
  keysetKeyText,
  keysetOrder,
  type Order,
  type Position,
} from '../db/keyset.ts';

/** A key as stored: its id, public JWK and sealed private half. */
export type StoredKey = SealedKey;

/** A key as the admin list shows it. */
export interface SigningKeyRow {
  kid: string;
  createdAt: Date;
  supersededAt: Date | null;
  retiredAt: Date | null;
}

/** The key that signs now, or undefined before the first. Service role only. */
export async function currentSigningKey(tx: Tx): Promise<StoredKey | undefined> {
  // At most one row: a unique index allows one signer.
  const [row] = await tx<StoredKey[]>`
    select kid, public_jwk as "publicJwk", private_key as "privateKey"
      from private.current_signing_key()`;
  return row;
}

/** Every key whose tokens are accepted, newest first. Service role only. */
export function publishedSigningKeys(
  tx: Tx,
): Promise<Array<{ kid: string; publicJwk: JsonWebKey }>> {
  // Retired keys are left out: their tokens are refused.
  return tx<Array<{ kid: string; publicJwk: JsonWebKey }>>`
    select kid, public_jwk as "publicJwk" from private.published_signing_keys()`;
}

/**
 * Stores a new key and makes it the signer (the one before keeps verifying). With
 * `onlyIfNone`, does nothing when a signer exists. rbac:manage (`asUser`) or the service role.
 */
export async function addSigningKey(
  tx: Tx,
  key: StoredKey,
  now: Date,
  onlyIfNone: boolean,
): Promise<boolean> {
  // Serialized by an advisory lock inside, so two first uses agree on one key.
  const [row] = await tx<{ added: boolean }[]>`
    select private.add_signing_key(${key.kid}, ${tx.json(key.publicJwk as postgres.JSONValue)},
                                   ${key.privateKey}, ${now}, ${onlyIfNone}) as added`;
  return row?.added ?? false;
}

/**
 * Retires a key, so tokens it signed are refused. Refused (23514, constraint
 * `app_signing_keys_current` or `_in_use`) for the signer, or before `graceSeconds` have
 * passed since it stopped signing. False when unknown or already retired. rbac:manage only.
 */
export async function retireSigningKey(
  tx: Tx,
  kid: string,
  now: Date,
  graceSeconds: number,
): Promise<boolean> {
  // The grace is the longest token lifetime: no token it signed can still be valid after it.
  const [row] = await tx<{ retired: boolean }[]>`
    select private.retire_signing_key(${kid}, ${now}, ${graceSeconds}::int) as retired`;
  return row?.retired ?? false;
}

/** One page of the keys with their dates, by creation. app_clients:read only (42501 otherwise). */
export function listSigningKeys(
  tx: Tx,
  opts: { order: Order; after?: Position; limit: number },
): Promise<Array<SigningKeyRow & { sortKey: string }>> {
  const ks: Keyset = {
    key: tx`k.created_at`,
    keyType: 'timestamptz',
    id: tx`k.kid`,
    idType: 'text',
  };
  // No private halves leave the database through this.
  return tx<Array<SigningKeyRow & { sortKey: string }>>`
    select k.kid, k.created_at as "createdAt", k.superseded_at as "supersededAt",
           k.retired_at as "retiredAt", ${keysetKeyText(tx, ks)} as "sortKey"
      from private.list_signing_keys() k
     where ${keysetAfter(tx, ks, opts.order, opts.after)}
     order by ${keysetOrder(tx, ks, opts.order)}
     limit ${opts.limit}`;
}
