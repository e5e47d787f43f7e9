import { Hono } from 'hono';
import type { Sql } from '../../../shared/db/client.ts';
import type { EmuEnv, EmulatorDeps } from './context.ts';
import { API_VERSION, renderAuthError } from './errors.ts';
import { checkApiKey } from './gate.ts';
import { KeyRing } from './keys.ts';
import { Mailbox } from './mail.ts';
import { RateLimiter } from './rate-limit.ts';
import { registerAdmin } from './routes/admin.ts';
import { registerFactors } from './routes/factors.ts';
import { registerFlows } from './routes/flows.ts';
import { registerLogout } from './routes/logout.ts';
import { registerMeta } from './routes/meta.ts';
import { registerOAuth } from './routes/oauth.ts';
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
 * const auth = await createAuthEmulator({ db, settings });
 * gateway.route('/', auth.app);
 */
export async function createAuthEmulator(opts: {
  db: Sql;
  settings: AuthSettings;
  keys?: KeyRing;
  mailbox?: Mailbox;
  /** The anon and service-role keys the gateway accepts in `apikey`. */
  apiKeys: string[];
}): Promise<AuthEmulator> {
  const deps: EmulatorDeps = {
    db: opts.db,
    settings: opts.settings,
    keys:
      opts.keys ??
      (await KeyRing.load({
        path: opts.settings.signingKeysPath,
        jwtSecret: opts.settings.jwtSecret,
      })),
    mailbox: opts.mailbox ?? new Mailbox(),
    limiter: new RateLimiter(),
  };
  const app = new Hono<EmuEnv>().basePath('/auth/v1');
  app.use(async (c, next) => {
    c.set('deps', deps);
    await next();
    c.header('x-supabase-api-version', API_VERSION);
  });
  app.onError((err, c) => {
    const res = renderAuthError(c, err);
    res.headers.set('x-supabase-api-version', API_VERSION);
    if (res.status >= 500) console.error('auth emulator:', err);
    return res;
  });
  app.notFound((c) => c.json({ code: 404, error_code: 'not_found', msg: 'Not Found' }, 404));

  registerMeta(app);
  registerSignup(app);
  registerToken(app);
  registerLogout(app);
  registerUser(app);
  registerFlows(app);
  registerOAuth(app);
  registerFactors(app);
  registerAdmin(app);
  const fetch = async (request: Request) =>
    checkApiKey(request, opts.apiKeys) ?? app.fetch(request);
  return { app, fetch, deps };
}
