import type { SigningKey, TokenKeyring } from '../auth/app-tokens.ts';
import { RefreshingCache } from '../auth/refreshing-cache.ts';
import type { Clock } from '../clock.ts';
import type { Pool } from '../db/client.ts';
import { asService } from '../db/doors.ts';
import { newKeyPair, openPrivateKey, sealPrivateKey, verifyingKey } from './key-crypto.ts';
import {
  addSigningKey,
  currentSigningKey,
  publishedSigningKeys,
  type StoredKey,
} from './signing-keys.ts';

interface Published {
  keys: Map<string, CryptoKey>;
  jwks: { keys: JsonWebKey[] };
}

/**
 * The keys of app-client tokens, kept in `private.app_signing_keys` (private halves sealed
 * with `TOKEN_KEYS_SECRET`) and shared by every function instance through the database.
 * Both the published set and the signer are cached for `ttlMs` (refreshed ahead, off the hot
 * path), so a rotation or retirement elsewhere arrives within it; an unknown `kid` reloads
 * the set at once (at most once a second, so forged kids cannot hammer the database).
 *
 * @example
 * const keys = new TokenKeys({ db, clock, secret: config.TOKEN_KEYS_SECRET });
 * const token = await signAppToken(claims, { issuer, key: await keys.signer(), clock, lifetimeSeconds });
 */
export class TokenKeys implements TokenKeyring {
  private readonly published: RefreshingCache<Published>;
  private readonly signing: RefreshingCache<SigningKey>;
  private readonly clock: Clock;
  private readonly secret: string;
  private lastReload = Number.NEGATIVE_INFINITY;

  constructor(opts: { db: Pool; clock: Clock; secret: string; ttlMs?: number }) {
    const { db, clock, secret } = opts;
    this.clock = clock;
    this.secret = secret;
    this.published = new RefreshingCache({
      clock,
      ttlMs: opts.ttlMs,
      lookup: async () => {
        const rows = await asService(db, (tx) => publishedSigningKeys(tx));
        const keys = new Map<string, CryptoKey>();
        const published: JsonWebKey[] = [];
        for (const row of rows) {
          // A row that is not a usable key verifies nothing, and must not stop the others.
          const key = await verifyingKey(row.publicJwk).catch(() => undefined);
          if (!key) continue;
          keys.set(row.kid, key);
          published.push(row.publicJwk);
        }
        return { keys, jwks: { keys: published } };
      },
    });
    this.signing = new RefreshingCache({
      clock,
      ttlMs: opts.ttlMs,
      lookup: async () => {
        let stored = await asService(db, (tx) => currentSigningKey(tx));
        if (!stored) {
          // First use anywhere: make one; a concurrent first use elsewhere may win, then
          // both read the winner's.
          const fresh = await this.generate();
          stored = await asService(db, async (tx) => {
            await addSigningKey(tx, fresh, new Date(clock.now()), true);
            return currentSigningKey(tx);
          });
          if (!stored) throw new Error('no signing key after creating one');
        }
        return {
          kid: stored.kid,
          key: await openPrivateKey(secret, stored.kid, stored.privateKey),
        };
      },
    });
  }

  /** The key that signs new tokens; the first one is made on first use. */
  signer(): Promise<SigningKey> {
    return this.signing.get('current');
  }

  /** The key to verify a token with `kid`, or undefined when no published key has it. */
  async verifyingKey(kid: string): Promise<CryptoKey | undefined> {
    const set = await this.published.get('all');
    const hit = set.keys.get(kid);
    if (hit || this.clock.now() - this.lastReload < 1000) return hit;
    this.lastReload = this.clock.now();
    this.published.forget('all');
    return (await this.published.get('all')).keys.get(kid);
  }

  /** The JWK set to publish: every key whose tokens are still accepted. */
  async jwks(): Promise<{ keys: JsonWebKey[] }> {
    return (await this.published.get('all')).jwks;
  }

  /** New key material, private half sealed, for `addSigningKey`. */
  async generate(): Promise<StoredKey> {
    const pair = await newKeyPair();
    return {
      kid: pair.kid,
      publicJwk: pair.publicJwk,
      privateKey: await sealPrivateKey(this.secret, pair.kid, pair.privateJwk),
    };
  }

  /** This instance rotated or retired a key: read both again on next use. */
  forget(): void {
    this.published.clear();
    this.signing.clear();
  }
}
