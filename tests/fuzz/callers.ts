import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { DEMO_ANON_KEY, DEMO_JWT_SECRET } from '../../scripts/local/keys.ts';
import { SUPABASE_URL } from '../helpers/auth-emulator.ts';
import type { World } from './world.ts';

/**
 * Who sends a request. `user` and `admin` hold live sessions; every other kind is a caller
 * without valid credentials, whom the properties treat as anonymous.
 */
export const CALLERS = [
  'anonymous',
  'anon-key',
  'garbage',
  'alg-none',
  'wrong-secret',
  'foreign-key',
  'tampered',
  'expired',
  'ended-session',
  'user',
  'admin',
] as const;
export type Caller = (typeof CALLERS)[number];

/** Whether the caller holds a session of a signed-in user (all others prove nothing). */
export const isSignedIn = (caller: Caller) => caller === 'user' || caller === 'admin';

/** A third of the requests come from the user, a third from the admin, a third from the rest. */
export const callerArb: fc.Arbitrary<Caller> = fc.oneof(
  fc.constant<Caller>('user'),
  fc.constant<Caller>('admin'),
  fc.constantFrom(...CALLERS.filter((c) => !isSignedIn(c))),
);

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const secret = new TextEncoder().encode(DEMO_JWT_SECRET);
const issuer = `${SUPABASE_URL}/auth/v1`;

/** Claims shaped like the user's real ones, so only the signature or the session is wrong. */
function claimsOf(world: World, overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: issuer,
    aud: 'authenticated',
    sub: world.user.id,
    role: 'authenticated',
    session_id: world.user.sessionId,
    aal: 'aal1',
    roles: ['admin'],
    permissions: ['users:read', 'users:update', 'users:delete', 'projects:read'],
    iat: now,
    exp: now + 3600,
    ...overrides,
  };
}

/** Bad credentials, made once per run (key generation is the slow part). */
export async function badTokens(world: World): Promise<Record<string, () => Promise<string>>> {
  const foreign = await generateKeyPair('ES256');
  const kid = (await exportJWK(foreign.publicKey)).kid ?? 'fuzz-foreign-key';
  return {
    'alg-none': async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claimsOf(world))}.`,
    'wrong-secret': () =>
      new SignJWT(claimsOf(world))
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode('another-secret-with-at-least-32-characters!!')),
    'foreign-key': () =>
      new SignJWT(claimsOf(world))
        .setProtectedHeader({ alg: 'ES256', kid })
        .sign(foreign.privateKey),
    // The user's own token with a payload that grants more: the signature no longer matches.
    tampered: async () => {
      const [head, , sig] = world.user.token.split('.');
      return `${head}.${b64(claimsOf(world))}.${sig}`;
    },
    // Signed with the project's real secret, but an hour past `exp`.
    expired: () =>
      new SignJWT(claimsOf(world, { exp: Math.floor(Date.now() / 1000) - 3600 }))
        .setProtectedHeader({ alg: 'HS256' })
        .sign(secret),
    // Signed with the real secret for a session that never existed (or has ended).
    'ended-session': () =>
      new SignJWT(claimsOf(world, { session_id: randomUUID(), roles: [], permissions: [] }))
        .setProtectedHeader({ alg: 'HS256' })
        .sign(secret),
  };
}

const GARBAGE = [
  'Bearer ',
  'Bearer abc',
  'Bearer a.b.c',
  `Bearer ${'x'.repeat(8192)}`,
  'Bearer eyJhbGciOiJIUzI1NiJ9.e30.',
  'Basic dXNlcjpwYXNz',
  'bearer\ttoken',
  'Bearer %00',
];

/** The Authorization header a caller sends, or undefined for none. */
export async function authorization(
  caller: Caller,
  world: World,
  tokens: Record<string, () => Promise<string>>,
  pick: number,
): Promise<string | undefined> {
  switch (caller) {
    case 'anonymous':
      return undefined;
    case 'anon-key':
      return `Bearer ${DEMO_ANON_KEY}`;
    case 'garbage':
      return GARBAGE[pick % GARBAGE.length];
    case 'user':
      return `Bearer ${world.user.token}`;
    case 'admin':
      return `Bearer ${world.admin.token}`;
    default: {
      const make = tokens[caller];
      if (!make) throw new Error(`no token for ${caller}`);
      return `Bearer ${await make()}`;
    }
  }
}
