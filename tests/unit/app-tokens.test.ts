import { createHmac, randomUUID } from 'node:crypto';
import { generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  appTokenIssuer,
  claimsAppIssuer,
  createAppTokenVerifier,
  type SigningKey,
  signAppToken,
} from '../../shared/auth/app-tokens.ts';
import { createAuthenticator } from '../../shared/auth/authenticator.ts';
import { SessionCache } from '../../shared/auth/session-cache.ts';
import type { VerifyToken } from '../../shared/auth/verifier.ts';
import { ManualClock } from '../helpers/clock.ts';

const ISSUER = appTokenIssuer('https://project.supabase.co/');
const clock = new ManualClock();
let key: SigningKey;
let publicKey: CryptoKey;
let otherKey: CryptoKey;
let verify: VerifyToken;
const CLIENT = randomUUID();

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const claims = () => ({
  sub: CLIENT,
  client_id: CLIENT,
  jti: randomUUID(),
  roles: ['reporting'],
  permissions: ['audit:read'],
  scope: 'audit:read',
});
const sign = (lifetimeSeconds = 600) =>
  signAppToken(claims(), { issuer: ISSUER, key, clock, lifetimeSeconds });
/** A token with any header and claims, signed with `with` (the real key by default). */
const forge = (payload: Record<string, unknown>, withKey?: CryptoKey, kid = key.kid) =>
  new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
    .sign(withKey ?? key.key);

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  key = { kid: 'key-one-0001', key: pair.privateKey };
  publicKey = pair.publicKey;
  otherKey = (await generateKeyPair('ES256')).privateKey;
  verify = createAppTokenVerifier({
    issuer: ISSUER,
    key: async (kid) => (kid === key.kid ? publicKey : undefined),
    clock,
  });
});

describe('app-client tokens', () => {
  it('are signed with the kid, for the auth function, and verify until they expire', async () => {
    expect(ISSUER).toBe('https://project.supabase.co/functions/v1/auth');
    const token = await sign(600);
    expect(claimsAppIssuer(token, ISSUER)).toBe(true);
    expect(await verify(token)).toMatchObject({
      iss: ISSUER,
      aud: 'authenticated',
      role: 'authenticated',
      sub: CLIENT,
      client_id: CLIENT,
      scope: 'audit:read',
    });
    clock.advance(600_000);
    await expect(verify(token)).rejects.toThrow();
    clock.set(Date.now());
  });

  it('refuse every forgery and look-alike', async () => {
    const now = Math.floor(clock.now() / 1000);
    const base = {
      ...claims(),
      iss: ISSUER,
      aud: 'authenticated',
      role: 'authenticated',
      iat: now,
      exp: now + 600,
    };
    const valid = await forge(base);
    const [head, body] = valid.split('.');
    const bad: Record<string, string> = {
      'another key': await forge(base, otherKey),
      'unknown kid': await forge(base, undefined, 'key-unknown'),
      'user issuer': await forge({ ...base, iss: 'https://project.supabase.co/auth/v1' }),
      'other audience': await forge({ ...base, aud: 'someone-else' }),
      'service role': await forge({ ...base, role: 'service_role' }),
      'client_id is not sub': await forge({ ...base, client_id: randomUUID() }),
      'a session, as user tokens have': await forge({ ...base, session_id: randomUUID() }),
      'sub not a uuid': await forge({ ...base, sub: 'x', client_id: 'x' }),
      'no scope': await forge({ ...base, scope: undefined }),
      'no expiry': await forge({ ...base, exp: undefined }),
      tampered: `${head}.${b64({ ...base, scope: 'rbac:manage' })}.${valid.split('.')[2]}`,
      'alg none': `${b64({ alg: 'none', kid: key.kid })}.${body}.`,
      HS256: (() => {
        const h = b64({ alg: 'HS256', kid: key.kid, typ: 'JWT' });
        const sig = createHmac('sha256', 'guess').update(`${h}.${body}`).digest('base64url');
        return `${h}.${body}.${sig}`;
      })(),
    };
    expect(await verify(valid)).toMatchObject({ sub: CLIENT });
    for (const [name, token] of Object.entries(bad)) {
      await expect(verify(token), name).rejects.toThrow();
    }
  });

  it('go to the app checks in the authenticator, whose state can refuse them', async () => {
    let active = true;
    const authenticator = createAuthenticator({
      verify: async () => {
        throw new Error('user verifier must not see app tokens');
      },
      sessions: new SessionCache({ clock, lookup: async () => true }),
      loadPermissions: async () => [],
      hasVerifiedFactor: async () => false,
      anonKey: 'anon-key-0123456789abcdef',
      serviceRoleKey: 'service-key-0123456789abcdef',
      apps: {
        owns: (token) => claimsAppIssuer(token, ISSUER),
        verify,
        state: async () => ({
          active,
          roles: ['reporting'],
          permissions: ['audit:read', 'users:read'],
        }),
      },
    });
    const token = await sign();
    // Its current permissions, within the token's scope only.
    expect(await authenticator.principal(token)).toEqual({
      kind: 'app',
      id: CLIENT,
      roles: ['reporting'],
      permissions: ['audit:read'],
      scopes: ['audit:read'],
      claims: expect.objectContaining({ jti: expect.any(String) }),
    });
    active = false;
    await expect(authenticator.principal(token)).rejects.toThrow(
      'app client disabled or token revoked',
    );
    await expect(authenticator.principal(await forge({ iss: ISSUER }, otherKey))).rejects.toThrow(
      'invalid app-client token',
    );
  });
});
