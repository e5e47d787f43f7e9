import type { Context } from 'hono';
import type { JWTPayload } from 'jose';
import type { Clock } from '../../../shared/clock.ts';
import type { Sql } from '../../../shared/db/client.ts';
import { badRequest, forbidden, unauthorized } from './errors.ts';
import type { KeyRing } from './keys.ts';
import type { Mailbox } from './mail.ts';
import type { IpLimit, RateLimiter } from './rate-limit.ts';
import type { AuthSettings } from './settings.ts';
import { findUserById, isBanned, type UserRow } from './users.ts';

export interface EmulatorDeps {
  db: Sql;
  settings: AuthSettings;
  keys: KeyRing;
  mailbox: Mailbox;
  limiter: RateLimiter;
  /** Every time decision (expiries, limits, token times, bans) reads this clock. */
  clock: Clock;
}

/**
 * The emulator's current time as a Date, for SQL parameters and comparisons. Every column a
 * later decision reads (sent-at times, flow and challenge creation, revocation, bans) is
 * written with it; columns that only record when something happened keep the database's
 * `now()`.
 */
export const nowDate = (deps: { clock: Clock }): Date => new Date(deps.clock.now());

export interface EmuEnv {
  Variables: { deps: EmulatorDeps };
}

export type EmuContext = Context<EmuEnv>;

function bearer(c: EmuContext): string {
  const header = c.req.header('authorization') ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m?.[1])
    throw unauthorized('no_authorization', 'This endpoint requires a valid Bearer token');
  return m[1];
}

async function verified(c: EmuContext): Promise<JWTPayload & Record<string, unknown>> {
  try {
    return await c.var.deps.keys.verify(bearer(c), nowDate(c.var.deps));
  } catch (err) {
    if (err instanceof Error && 'errorCode' in err) throw err;
    throw forbidden(
      'bad_jwt',
      'invalid JWT: unable to parse or verify signature, token is unverifiable',
    );
  }
}

export interface Caller {
  user: UserRow;
  claims: JWTPayload & Record<string, unknown>;
  sessionId: string;
}

/**
 * The signed-in caller: a valid access token whose session and user still exist, exactly
 * the checks GoTrue makes before `/user`, `/logout` and `/factors`.
 */
export async function requireUser(c: EmuContext): Promise<Caller> {
  const claims = await verified(c);
  const sessionId = typeof claims.session_id === 'string' ? claims.session_id : '';
  if (!claims.sub || !sessionId)
    throw forbidden('bad_jwt', 'invalid claim: missing sub or session_id claim');
  const [session] = await c.var.deps.db`select id from auth.sessions where id = ${sessionId}::uuid`;
  if (!session)
    throw forbidden('session_not_found', 'Session from session_id claim in JWT does not exist');
  const user = await findUserById(c.var.deps.db, claims.sub);
  if (!user) throw forbidden('user_not_found', 'User from sub claim in JWT does not exist');
  if (isBanned(user, c.var.deps.clock)) throw forbidden('user_banned', 'User is banned');
  return { user, claims, sessionId };
}

/** The admin API takes the service-role key (or any token whose role is an admin role). */
export async function requireAdmin(c: EmuContext): Promise<void> {
  const claims = await verified(c);
  if (claims.role !== 'service_role' && claims.role !== 'supabase_admin') {
    throw forbidden('not_admin', 'User not allowed');
  }
}

/** The end user's address: `Sb-Forwarded-For` from a trusted proxy, else X-Forwarded-For. */
export function clientIp(c: EmuContext): string {
  const forwarded = c.req.header('sb-forwarded-for') ?? c.req.header('x-forwarded-for') ?? '';
  return forwarded.split(',')[0]?.trim() || '127.0.0.1';
}

/** Takes one request from GoTrue's per-IP limiter `name` for this caller's address. */
export function limit(c: EmuContext, name: IpLimit): void {
  c.var.deps.limiter.perIp(name, clientIp(c), c.var.deps.settings.rateLimits);
}

/** A redirect target is honoured only when it matches the site URL or an allowed URL. */
export function safeRedirect(settings: AuthSettings, requested: string | undefined): string {
  if (!requested) return settings.siteUrl;
  const allowed = [settings.siteUrl, ...settings.redirectUrls];
  const ok = allowed.some((base) => {
    if (base.includes('*')) {
      const pattern = new RegExp(
        `^${base
          .split('*')
          .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
      );
      return pattern.test(requested);
    }
    return requested === base || requested.startsWith(base.endsWith('/') ? base : `${base}/`);
  });
  return ok ? requested : settings.siteUrl;
}

/** Reads a JSON body; GoTrue answers a malformed one with 400 `bad_json`. */
export async function body<T = Record<string, unknown>>(c: EmuContext): Promise<T> {
  const text = await c.req.text();
  if (!text.trim()) return {} as T;
  try {
    const parsed = JSON.parse(text);
    return (parsed && typeof parsed === 'object' ? parsed : {}) as T;
  } catch {
    throw badRequest('bad_json', 'Could not parse request body as JSON');
  }
}
