import { createHmac } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier, type VerifyToken } from '../../shared/auth/verifier.ts';

const URL_ = 'https://project.supabase.co';
const ISS = `${URL_}/auth/v1`;
const SECRET = 'a-legacy-jwt-secret-of-at-least-32-characters';

let verify: VerifyToken;
let privateKey: CryptoKey;
let publicJwk: JWK;

const b64 = (v: unknown) =>
  Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const userClaims = (over: Record<string, unknown> = {}) => ({
  iss: ISS,
  aud: 'authenticated',
  role: 'authenticated',
  sub: '8d0b7a4e-6a53-4f0e-9d7c-2f8f3c1f9b10',
  session_id: 'a1d3c0de-0000-4000-8000-000000000001',
  iat: now(),
  exp: now() + 600,
  ...over,
});
const es256 = (claims: Record<string, unknown>, kid = 'k1') =>
  new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' }).sign(privateKey);

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
  verify = createTokenVerifier({
    supabaseUrl: URL_,
    jwtSecret: SECRET,
    jwks: createLocalJWKSet({ keys: [publicJwk] }),
  });
});

describe('createTokenVerifier', () => {
  it('accepts a valid ES256 user token', async () => {
    const claims = await verify(await es256(userClaims()));
    expect(claims).toMatchObject({ role: 'authenticated', sub: userClaims().sub });
  });

  it('accepts a legacy HS256 user token and the HS256 API keys', async () => {
    const secret = new TextEncoder().encode(SECRET);
    const user = await new SignJWT(userClaims()).setProtectedHeader({ alg: 'HS256' }).sign(secret);
    expect((await verify(user)).sub).toBe(userClaims().sub);
    const anon = await new SignJWT({ iss: 'supabase', role: 'anon', exp: now() + 60 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(secret);
    expect((await verify(anon)).role).toBe('anon');
  });

  it('refuses a tampered payload or signature', async () => {
    const token = await es256(userClaims());
    const [h, p, s] = token.split('.') as [string, string, string];
    const forgedPayload = `${h}.${b64(userClaims({ sub: 'someone-else' }))}.${s}`;
    const flipped = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(verify(forgedPayload)).rejects.toThrow();
    await expect(verify(flipped)).rejects.toThrow();
  });

  it('refuses an expired token', async () => {
    await expect(
      verify(await es256(userClaims({ exp: now() - 120, iat: now() - 720 }))),
    ).rejects.toThrow();
  });

  it('refuses the wrong audience, issuer or role', async () => {
    await expect(verify(await es256(userClaims({ aud: 'other' })))).rejects.toThrow(
      /authenticated/,
    );
    await expect(
      verify(await es256(userClaims({ iss: 'https://evil.example/auth/v1' }))),
    ).rejects.toThrow(/issued/);
    await expect(
      verify(await es256(userClaims({ role: 'service_role', sub: 'x' }))),
    ).rejects.toThrow();
  });

  it('refuses alg none', async () => {
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(userClaims())}.`;
    await expect(verify(unsigned)).rejects.toThrow();
  });

  it('refuses HS256 signed with the public key (algorithm confusion)', async () => {
    const header = b64({ alg: 'HS256', typ: 'JWT', kid: 'k1' });
    const body = b64(userClaims());
    const sig = createHmac('sha256', JSON.stringify(publicJwk))
      .update(`${header}.${body}`)
      .digest('base64url');
    await expect(verify(`${header}.${body}.${sig}`)).rejects.toThrow();
  });

  it('refuses an ES256 header on a token made with the HS secret, and HS256 when no secret is set', async () => {
    const secret = new TextEncoder().encode(SECRET);
    const hs = await new SignJWT(userClaims()).setProtectedHeader({ alg: 'HS256' }).sign(secret);
    const [, p, s] = hs.split('.') as [string, string, string];
    await expect(verify(`${b64({ alg: 'ES256', kid: 'k1' })}.${p}.${s}`)).rejects.toThrow();
    const noSecret = createTokenVerifier({
      supabaseUrl: URL_,
      jwks: createLocalJWKSet({ keys: [publicJwk] }),
    });
    await expect(noSecret(hs)).rejects.toThrow(/HS256/);
  });

  it('refuses a key it does not know', async () => {
    await expect(verify(await es256(userClaims(), 'unknown-kid'))).rejects.toThrow();
  });
});
