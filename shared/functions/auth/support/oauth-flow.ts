import type { Context } from 'hono';
import { generateCookie, getCookie, setCookie } from 'hono/cookie';
import { AppError } from '../../../errors.ts';
import type { AppEnv } from '../../../http/context.ts';

type CookieOptions = NonNullable<Parameters<typeof setCookie>[3]>;

/**
 * The browser's half of an OAuth sign-in between `GET /oauth/{provider}` and
 * `GET /oauth/callback`: the PKCE verifier, the state and the provider, in one cookie.
 */
export const FLOW_COOKIE = 'sb-oauth-flow';
/**
 * The callback's public path. Supabase serves this function under `/functions/v1/auth`
 * while the app itself sees only `/auth`, so the path cannot come from the request.
 */
const COOKIE_PATH = '/functions/v1/auth/oauth';
/** Auth keeps the flow state 5 minutes after the redirect; allow for time at the provider. */
const FLOW_TTL_SECONDS = 10 * 60;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface PendingFlow {
  state: string;
  provider: string;
  verifier: string;
}

/** HttpOnly, SameSite=Lax (the callback is reached by a top-level redirect), Secure off loopback. */
function cookieOptions(c: Context<AppEnv>): CookieOptions {
  const url = new URL(c.req.url);
  const local = url.protocol === 'http:' && LOOPBACK.has(url.hostname);
  return { path: COOKIE_PATH, httpOnly: true, secure: !local, sameSite: 'Lax' };
}

/** A random, URL-safe value the callback must see again. */
export function newState(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

export function keepFlow(c: Context<AppEnv>, flow: PendingFlow): void {
  // State and provider never contain a dot; the verifier may, so it goes last.
  const value = `${flow.state}.${flow.provider}.${flow.verifier}`;
  setCookie(c, FLOW_COOKIE, value, { ...cookieOptions(c), maxAge: FLOW_TTL_SECONDS });
}

export function readFlow(c: Context<AppEnv>): PendingFlow | undefined {
  const [state, provider, ...rest] = (getCookie(c, FLOW_COOKIE) ?? '').split('.');
  const verifier = rest.join('.');
  return state && provider && verifier ? { state, provider, verifier } : undefined;
}

/** The `Set-Cookie` value that removes the flow cookie (also sent with errors). */
export function clearedFlowCookie(c: Context<AppEnv>): string {
  return generateCookie(FLOW_COOKIE, '', { ...cookieOptions(c), maxAge: 0 });
}

/** The same error, with the flow cookie removed: a failed exchange has used up the code. */
export function withClearedCookie(c: Context<AppEnv>, error: AppError): AppError {
  return new AppError(error.code, {
    detail: error.detail,
    errors: error.errors,
    headers: { ...error.headers, 'set-cookie': clearedFlowCookie(c) },
    cause: error,
  });
}

const providerCache = new Map<string, { at: number; enabled: Set<string> }>();
const PROVIDER_CACHE_MS = 60_000;

/**
 * The OAuth providers Auth has enabled (its public `GET /settings`), cached briefly, so an
 * unknown or disabled provider is a 422 here rather than an error page after the redirect.
 */
export async function enabledProviders(c: Context<AppEnv>): Promise<Set<string>> {
  const { SUPABASE_URL, SUPABASE_ANON_KEY } = c.var.services.config;
  const hit = providerCache.get(SUPABASE_URL);
  if (hit && Date.now() - hit.at < PROVIDER_CACHE_MS) return hit.enabled;
  let external: Record<string, unknown>;
  try {
    const res = await fetch(`${SUPABASE_URL}/auth/v1/settings`, {
      headers: { apikey: SUPABASE_ANON_KEY },
    });
    if (!res.ok) throw new Error(`GET /settings answered ${res.status}`);
    external = ((await res.json()) as { external?: Record<string, unknown> }).external ?? {};
  } catch (cause) {
    throw new AppError('bad_gateway', { detail: 'The authentication service failed', cause });
  }
  const notOAuth = new Set(['email', 'phone', 'anonymous_users']);
  const enabled = new Set(
    Object.entries(external)
      .filter(([name, on]) => on === true && !notOAuth.has(name))
      .map(([name]) => name),
  );
  providerCache.set(SUPABASE_URL, { at: Date.now(), enabled });
  return enabled;
}
