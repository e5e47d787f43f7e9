import { createClient, type SupabaseClient, type SupportedStorage } from '@supabase/supabase-js';
import type { Context } from 'hono';
import { AppError } from '../../../errors.ts';
import { clientIp } from '../../../http/client-ip.ts';
import type { AppEnv } from '../../../http/context.ts';
import { accessToken, currentUser } from '../../../http/middleware/auth.ts';

/**
 * supabase-js clients the shared `authClient` cannot be: one per request, never shared,
 * because what they keep (a PKCE verifier, the caller's session) belongs to one caller.
 */

/** The storage key of these clients; supabase-js derives the verifier's key from it. */
const STORAGE_KEY = 'sb-fn-auth';

/** Where supabase-js keeps the PKCE code verifier between the authorize URL and the exchange. */
export const VERIFIER_KEY = `${STORAGE_KEY}-code-verifier`;

/** supabase-js JSON-encodes what it stores; a plain Map stands in for localStorage. */
export type MemoryStore = Map<string, string>;

function storageOf(store: MemoryStore): SupportedStorage {
  return {
    getItem: (key) => store.get(key) ?? null,
    setItem: (key, value) => {
      store.set(key, value);
    },
    removeItem: (key) => {
      store.delete(key);
    },
  };
}

function build(c: Context<AppEnv>, flowType: 'pkce' | 'implicit', store?: MemoryStore) {
  const { SUPABASE_URL, SUPABASE_ANON_KEY } = c.var.services.config;
  const ip = clientIp(c);
  return createClient(SUPABASE_URL, SUPABASE_ANON_KEY, {
    auth: {
      flowType,
      autoRefreshToken: false,
      detectSessionInUrl: false,
      persistSession: Boolean(store),
      storageKey: STORAGE_KEY,
      ...(store ? { storage: storageOf(store) } : {}),
    },
    // As `authClient`: Auth's per-IP limits and MFA's challenge/verify IP check see the user.
    global: { headers: ip === 'unknown' ? {} : { 'sb-forwarded-for': ip } },
  });
}

/** PKCE over `store`: it receives the verifier of a new authorize URL, or hands one back. */
export function pkceClient(c: Context<AppEnv>, store: MemoryStore): SupabaseClient {
  return build(c, 'pkce', store);
}

/**
 * A client that already holds the caller's session, for the supabase-js methods that act
 * as the signed-in user (`updateUser`, `mfa.*`), so Auth applies its own checks to them.
 * There is no refresh token: the caller keeps theirs.
 */
export function userClient(c: Context<AppEnv>): SupabaseClient {
  const user = currentUser(c.var.principal);
  const token = accessToken(c);
  if (!token) throw new AppError('unauthorized', { detail: 'Sign in to use this route' });
  const now = Math.floor(Date.now() / 1000);
  const exp = typeof user.claims.exp === 'number' ? user.claims.exp : now;
  const session = {
    access_token: token,
    refresh_token: '',
    token_type: 'bearer',
    expires_in: Math.max(0, exp - now),
    // supabase-js tries to refresh a session within 90 s of `expires_at`, and without a
    // refresh token that attempt fails the call. Auth checks the token's real `exp` on every
    // request, so the stored value only has to keep supabase-js from trying.
    expires_at: Math.max(exp, now + 300),
    // Given, so supabase-js does not fetch the user just to fill in the session.
    user: {
      id: user.id,
      aud: 'authenticated',
      email: user.email,
      app_metadata: user.claims.app_metadata ?? {},
      user_metadata: user.claims.user_metadata ?? {},
      created_at: '',
    },
  };
  return build(c, 'implicit', new Map([[STORAGE_KEY, JSON.stringify(session)]]));
}
