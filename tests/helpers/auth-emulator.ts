import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { http } from 'msw';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type AuthEmulator, createAuthEmulator } from '../../scripts/emulators/auth/app.ts';
import { loadAuthSettings } from '../../scripts/emulators/auth/settings.ts';
import { DEMO_ANON_KEY, DEMO_JWT_SECRET, DEMO_SERVICE_ROLE_KEY } from '../../scripts/local/keys.ts';
import type { Clock } from '../../shared/clock.ts';
import { createDb, type Sql } from '../../shared/db/client.ts';
import { type TestDatabase, useTestDatabase } from './db.ts';
import { server } from './msw.ts';

/** The Supabase URL tests use; msw routes it to the in-process emulator. */
export const SUPABASE_URL = 'http://supabase.test';

export interface AuthEmulatorHarness {
  readonly emulator: AuthEmulator;
  readonly db: TestDatabase;
  /** A supabase-js client with the anon key, no persisted session. */
  client(): SupabaseClient;
  /** A supabase-js client with the service-role key, for `auth.admin`. */
  admin(): SupabaseClient;
}

const clientOptions = {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
};

/**
 * The Auth emulator in-process, behind msw at SUPABASE_URL, over this file's own database.
 * `env` takes GoTrue's variable names to override supabase/config.toml; `opts.clock` (a
 * ManualClock) is the time every expiry, limit and token time of the emulator reads.
 */
export function useAuthEmulator(
  env: Record<string, string> = {},
  opts: { clock?: Clock } = {},
): AuthEmulatorHarness {
  const db = useTestDatabase();
  let emulator: AuthEmulator | undefined;
  let pool: Sql | undefined;

  beforeAll(async () => {
    pool = createDb(db.url, { max: 4, name: 'auth-emulator' });
    const settings = loadAuthSettings({
      externalUrl: `${SUPABASE_URL}/auth/v1`,
      jwtSecret: DEMO_JWT_SECRET,
      env,
    });
    emulator = await createAuthEmulator({
      db: pool,
      settings,
      apiKeys: [DEMO_ANON_KEY, DEMO_SERVICE_ROLE_KEY],
      clock: opts.clock,
    });
  });
  beforeEach(() => {
    server.use(http.all(`${SUPABASE_URL}/auth/v1/*`, ({ request }) => emulator?.fetch(request)));
  });
  afterAll(async () => {
    await pool?.end();
  });

  return {
    db,
    get emulator() {
      if (!emulator) throw new Error('the emulator exists only inside tests and hooks');
      return emulator;
    },
    client: () => createClient(SUPABASE_URL, DEMO_ANON_KEY, clientOptions),
    admin: () => createClient(SUPABASE_URL, DEMO_SERVICE_ROLE_KEY, clientOptions),
  };
}
