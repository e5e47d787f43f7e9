import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll } from 'vitest';
import { KeyRing } from '../../scripts/emulators/auth/keys.ts';
import {
  createStorageEmulator,
  type StorageEmulator,
} from '../../scripts/emulators/storage/app.ts';
import {
  loadStorageSettings,
  type StorageSettings,
} from '../../scripts/emulators/storage/settings.ts';
import { DEMO_ANON_KEY, DEMO_JWT_SECRET, DEMO_SERVICE_ROLE_KEY } from '../../scripts/local/keys.ts';
import { createDb, type Sql } from '../../shared/db/client.ts';
import { SUPABASE_URL } from './auth-emulator.ts';
import { ManualClock } from './clock.ts';
import { type TestDatabase, useTestDatabase } from './db.ts';

export interface StorageEmulatorHarness {
  readonly emulator: StorageEmulator;
  readonly db: TestDatabase;
  /** The emulator's clock: signed URLs expire when the test moves it. */
  readonly clock: ManualClock;
  /** Where the emulator keeps bytes. */
  readonly dataDir: string;
  /** A signed-in user: an id and supabase-js acting with that user's access token. */
  user(): Promise<{ id: string; token: string; client: SupabaseClient }>;
  /** supabase-js with the anon key (a signed-out app). */
  anon(): SupabaseClient;
  /** supabase-js with the service-role key. */
  service(): SupabaseClient;
  /** The raw Storage API: `fetch` on `/storage/v1/<path>`. */
  call(path: string, init?: RequestInit): Promise<Response>;
  /** `fetch` for SUPABASE_URL/storage/v1 URLs (public and signed links). */
  fetch(url: string, init?: RequestInit): Promise<Response>;
}

const noSession = {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
};

/**
 * The Storage emulator in-process at SUPABASE_URL/storage/v1, over this file's own database
 * and a temporary data folder. Clients reach it through a fetch that hands requests to the
 * emulator directly, so it serves every hook, `beforeAll` included. User tokens are ES256
 * JWTs from an Auth key ring, verified as the local stack verifies them; `settings`
 * overrides config.toml's.
 */
export function useStorageEmulator(
  settings: Partial<StorageSettings> = {},
): StorageEmulatorHarness {
  const db = useTestDatabase();
  const clock = new ManualClock();
  let emulator: StorageEmulator | undefined;
  let pool: Sql | undefined;
  let keys: KeyRing | undefined;
  let dataDir = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'storage-'));
    pool = createDb(db.url, { max: 4, name: 'storage-emulator' });
    keys = await KeyRing.load({ jwtSecret: DEMO_JWT_SECRET });
    const ring = keys;
    emulator = createStorageEmulator({
      db: pool,
      dataDir,
      verifyJwt: (token) => ring.verify(token),
      jwtSecret: DEMO_JWT_SECRET,
      clock,
      settings: { ...loadStorageSettings(), ...settings },
    });
  });
  afterAll(async () => {
    await pool?.end();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const inProcess = async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    if (!emulator || !request.url.startsWith(`${SUPABASE_URL}/storage/v1/`)) {
      throw new Error(`not a Storage request: ${request.url}`);
    }
    return emulator.fetch(request);
  };
  const options = { ...noSession, global: { fetch: inProcess } };
  const withToken = (token: string) =>
    createClient(SUPABASE_URL, DEMO_ANON_KEY, { ...options, accessToken: async () => token });

  return {
    db,
    clock,
    get dataDir() {
      return dataDir;
    },
    get emulator() {
      if (!emulator) throw new Error('the emulator exists only inside tests and hooks');
      return emulator;
    },
    async user() {
      if (!keys) throw new Error('the emulator exists only inside tests and hooks');
      const id = randomUUID();
      const token = await keys.sign({
        sub: id,
        role: 'authenticated',
        aud: 'authenticated',
        exp: Math.floor(Date.now() / 1000) + 3600,
      });
      return { id, token, client: withToken(token) };
    },
    anon: () => createClient(SUPABASE_URL, DEMO_ANON_KEY, options),
    service: () => createClient(SUPABASE_URL, DEMO_SERVICE_ROLE_KEY, options),
    call: (path, init) => inProcess(`${SUPABASE_URL}/storage/v1/${path.replace(/^\//, '')}`, init),
    fetch: inProcess,
  };
}
