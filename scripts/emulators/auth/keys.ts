import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';

type Key = Awaited<ReturnType<typeof importJWK>>;

/**
 * The Auth signing keys: asymmetric ES256 keys published at the JWKS (the first one signs),
 * plus the legacy HS256 secret that the anon and service-role API keys are signed with.
 */
export class KeyRing {
  readonly jwks: { keys: JWK[] };
  private readonly signing: { kid: string; key: Key };
  private readonly verifying: Map<string, Key>;
  private readonly secret: Uint8Array;

  private constructor(
    signing: { kid: string; key: Key },
    verifying: Map<string, Key>,
    jwks: { keys: JWK[] },
    secret: Uint8Array,
  ) {
    this.signing = signing;
    this.verifying = verifying;
    this.jwks = jwks;
    this.secret = secret;
  }

  /**
   * Loads a JWK set (an array, as `supabase gen signing-key` writes, or `{keys: [...]}`)
   * from `path`, creating it with one new ES256 key when missing. Without a path the key
   * lives in memory only, as tests want.
   */
  static async load(opts: { path?: string; jwtSecret: string }): Promise<KeyRing> {
    let jwks: JWK[];
    if (opts.path && existsSync(opts.path)) {
      const raw = JSON.parse(readFileSync(opts.path, 'utf8'));
      jwks = Array.isArray(raw) ? raw : raw.keys;
    } else {
      jwks = [await newSigningKey()];
      if (opts.path) {
        mkdirSync(dirname(opts.path), { recursive: true });
        writeFileSync(opts.path, JSON.stringify(jwks, null, 2), { mode: 0o600 });
      }
    }
    const usable = jwks.filter((k) => k.alg === 'ES256' && k.kid && k.d);
    const first = usable[0];
    if (!first?.kid) throw new Error('The signing key set has no ES256 private key with a kid');
    const verifying = new Map<string, Key>();
    const published: JWK[] = [];
    for (const jwk of usable) {
      const { d: _private, key_ops: _ops, ...pub } = jwk;
      verifying.set(jwk.kid as string, await importJWK({ ...pub, ext: true }, 'ES256'));
      published.push({ ...pub, key_ops: ['verify'] });
    }
    const { key_ops: _ops, ...privateJwk } = first;
    const signing = { kid: first.kid, key: await importJWK(privateJwk, 'ES256') };
    return new KeyRing(
      signing,
      verifying,
      { keys: published },
      new TextEncoder().encode(opts.jwtSecret),
    );
  }

  sign(claims: JWTPayload): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: this.signing.kid, typ: 'JWT' })
      .sign(this.signing.key);
  }

  /**
   * Verifies a token signed by a key of this ring, or by the legacy HS256 secret; `at` is
   * the time its `exp` and `nbf` are checked against (the emulator's clock).
   */
  async verify(token: string, at?: Date): Promise<JWTPayload> {
    const header = decodeProtectedHeader(token);
    if (header.alg === 'HS256') {
      return (await jwtVerify(token, this.secret, { algorithms: ['HS256'], currentDate: at }))
        .payload;
    }
    const key = header.alg === 'ES256' && header.kid ? this.verifying.get(header.kid) : undefined;
    if (!key) throw new Error('unknown signing key');
    return (await jwtVerify(token, key, { algorithms: ['ES256'], currentDate: at })).payload;
  }
}

async function newSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return {
    ...jwk,
    kid: randomUUID(),
    alg: 'ES256',
    use: 'sig',
    key_ops: ['sign', 'verify'],
    ext: true,
  };
}
