import { Hono } from 'hono';
import { type Clock, systemClock } from '../../../shared/clock.ts';
import type { Sql } from '../../../shared/db/client.ts';
import type { EmuEnv, EmulatorDeps } from './context.ts';
import { renderAuthError } from './errors.ts';
import { checkApiKey } from './gate.ts';
import { KeyRing } from './keys.ts';
import { Mailbox } from './mail.ts';
import { RateLimiter } from './rate-limit.ts';
import { registerAdmin } from './routes/admin.ts';
import { registerDisabled } from './routes/disabled.ts';
import { registerFactors } from './routes/factors.ts';
import { registerFlows } from './routes/flows.ts';
import { registerLogout } from './routes/logout.ts';
import { registerMeta } from './routes/meta.ts';
import { registerOAuth } from './routes/oauth.ts';
import { registerOAuthClients } from './routes/oauth-clients.ts';
import { registerSignup } from './routes/signup.ts';
import { registerToken } from './routes/token.ts';
import { registerUser } from './routes/user.ts';
import type { AuthSettings } from './settings.ts';

export interface AuthEmulator {
  /** The Auth API under `/auth/v1/…`, without the gateway's API-key check. */
  app: Hono<EmuEnv>;
  /** The Auth API as clients reach it: behind the gateway's API-key check. */
  fetch: (request: Request) => Promise<Response>;
  deps: EmulatorDeps;
}

/**
 * An emulator of the Supabase Auth (GoTrue) HTTP API over this PostgreSQL's `auth` schema,
 * for local runs and tests; production uses Supabase Auth itself. The official supabase-js
 * client works against it unchanged.
 *
 * @example
 * const auth = await createAuthEmulator({ db, settings, apiKeys: [anonKey, serviceRoleKey] });
 * gateway.route('/', auth.app);
 */
export async function createAuthEmulator(opts: {
  db: Sql;
  settings: AuthSettings;
  keys?: KeyRing;
  mailbox?: Mailbox;
  /** The anon and service-role keys the gateway accepts in `apikey`. */
  apiKeys: string[];
  /** Where every time decision reads the time; tests pass a ManualClock. */
  clock?: Clock;
}): Promise<AuthEmulator> {
  const deps: EmulatorDeps = {
    clock: opts.clock ?? systemClock,
    db: opts.db,
    settings: opts.settings,
    keys:
      opts.keys ??
      (await KeyRing.load({
        path: opts.settings.signingKeysPath,
        jwtSecret: opts.settings.jwtSecret,
      })),
    mailbox: opts.mailbox ?? new Mailbox(),
    // Read through deps, so a clock swapped into deps later is the one the limits use.
    limiter: new RateLimiter(() => deps.clock.now()),
  };
  const app = new Hono<EmuEnv>().basePath('/auth/v1');
  app.use(async (c, next) => {
    c.set('deps', deps);
    await next();
  });
  app.onError((err, c) => {
    const res = renderAuthError(c, err);
    if (res.status >= 500) console.error('auth emulator:', err);
    return res;
  });
  // GoTrue's router (chi) answers a path it does not serve with its plain-text 404.
  app.notFound((c) => c.text('404 page not found', 404));

  registerMeta(app);
  registerSignup(app);
  registerToken(app);
  registerLogout(app);
  registerUser(app);
  registerFlows(app);
  registerOAuth(app);
  registerFactors(app);
  registerAdmin(app);
  registerOAuthClients(app);
  registerDisabled(app);
  const fetch = async (request: Request) =>
    checkApiKey(request, opts.apiKeys) ?? app.fetch(request);
  return { app, fetch, deps };
}
