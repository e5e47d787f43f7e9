import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { type Authenticator, InvalidTokenError } from '../../auth/authenticator.ts';
import { type CallerPrincipal, can, type UserPrincipal } from '../../auth/principal.ts';
import { AppError } from '../../errors.ts';
import type { AppEnv } from '../context.ts';

/** The cookie the auth function sets for browser clients that prefer cookies to headers. */
export const ACCESS_COOKIE = 'sb-access-token';

function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m?.[1];
}

/** The caller's raw access token (header first, then cookie), for calls made on their behalf. */
export function accessToken(c: Context<AppEnv>): string | undefined {
  return bearer(c.req.header('authorization')) ?? getCookie(c, ACCESS_COOKIE);
}

/**
 * Resolves the caller once per request and stores it as `principal`. No credentials means
 * anonymous; bad credentials are a 401 at once, so no route sees a half-valid caller.
 */
export function authentication(authenticator: Authenticator): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = accessToken(c);
    if (token && !bearer(c.req.header('authorization'))) refuseCrossSite(c);
    try {
      c.set('principal', await authenticator.principal(token));
    } catch (err) {
      if (err instanceof InvalidTokenError) {
        throw new AppError('invalid_token', {
          detail: 'The access token is invalid, expired or revoked',
          // RFC 6750 §3: a bearer token that failed says so in its challenge.
          headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
          cause: err,
        });
      }
      throw err;
    }
    await next();
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A browser sends cookies along with requests that other sites make it send. So a request
 * that authenticates with the cookie and changes something must come from a page of an
 * origin listed in CORS_ORIGINS (exactly; `*` lists none); a bearer token is never sent by
 * a browser on its own, so it needs no such check.
 */
function refuseCrossSite(c: Context<AppEnv>): void {
  if (SAFE_METHODS.has(c.req.method)) return;
  const origin = c.req.header('origin');
  if (origin && c.var.services.config.CORS_ORIGINS.includes(origin)) return;
  throw new AppError('forbidden', {
    detail: 'A request signed in by cookie must come from an allowed origin',
  });
}

const stepUp = () =>
  new AppError('insufficient_aal', {
    detail: 'Verify your second factor (aal2) to use this route',
  });

/**
 * Only signed-in users pass: 401 for anonymous, 403 for other callers (service role, apps).
 * A user with a verified second factor must have used it (aal2), except on the few routes
 * that lead there, which pass `{ beforeSecondFactor: true }`: MFA challenge, verify and the
 * factor list, logout, and reading one's own profile.
 */
export function requireUser(
  opts: { beforeSecondFactor?: boolean } = {},
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = c.var.principal;
    if (principal.kind === 'anonymous')
      throw new AppError('unauthorized', { detail: 'Sign in to use this route' });
    // Valid credentials that are not a user's: authenticated, so not a 401.
    if (principal.kind !== 'user')
      throw new AppError('forbidden', { detail: 'This route is for users only' });
    if (principal.secondFactorPending && !opts.beforeSecondFactor) throw stepUp();
    await next();
  };
}

/**
 * Signed-in users and app clients pass: 401 for anonymous, 403 for the service role. For
 * routes whose OpenAPI entry lists `appClient` beside `bearerAuth` (see `CALLERS` in
 * http/schemas.ts); every other route keeps `requireUser()`.
 */
export function requireCaller(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { kind } = c.var.principal;
    if (kind === 'anonymous')
      throw new AppError('unauthorized', { detail: 'Sign in to use this route' });
    if (kind !== 'user' && kind !== 'app')
      throw new AppError('forbidden', { detail: 'This route is for users and app clients' });
    await next();
  };
}

/** Only callers holding every listed permission pass: 401 for anonymous, 403 for the rest. */
export function requirePermission(...permissions: string[]): MiddlewareHandler<AppEnv> {
  if (permissions.length === 0) throw new Error('requirePermission needs at least one permission');
  return async (c, next) => {
    const principal = c.var.principal;
    if (principal.kind === 'anonymous')
      throw new AppError('unauthorized', { detail: 'Sign in to use this route' });
    const missing = permissions.filter((p) => !can(principal, p));
    if (missing.length)
      throw new AppError('forbidden', { detail: `Missing permission: ${missing.join(', ')}` });
    // Administrative power wants the second factor, enrolled or not, unless turned off.
    if (
      principal.kind === 'user' &&
      (principal.secondFactorPending ||
        (c.var.services.config.ADMIN_MFA_REQUIRED && principal.aal !== 'aal2'))
    )
      throw stepUp();
    await next();
  };
}

/** Sensitive operations need a session verified with a second factor. */
export function requireAal2(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = c.var.principal;
    if (principal.kind !== 'user')
      throw new AppError('unauthorized', { detail: 'Sign in to use this route' });
    if (principal.aal !== 'aal2') throw stepUp();
    await next();
  };
}

/** The user or app client calling; for handlers behind `requireCaller()`. */
export function currentCaller(principal: AppEnv['Variables']['principal']): CallerPrincipal {
  if (principal.kind !== 'user' && principal.kind !== 'app') throw new AppError('unauthorized');
  return principal;
}

/** The signed-in user; for handlers behind `requireUser()`. */
export function currentUser(principal: AppEnv['Variables']['principal']): UserPrincipal {
  if (principal.kind !== 'user') throw new AppError('unauthorized');
  return principal;
}
