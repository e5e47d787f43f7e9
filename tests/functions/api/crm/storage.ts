import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http } from 'msw';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import {
  createStorageEmulator,
  type StorageEmulator,
} from '../../../../scripts/emulators/storage/app.ts';
import { loadStorageSettings } from '../../../../scripts/emulators/storage/settings.ts';
import { DEMO_JWT_SECRET } from '../../../../scripts/local/keys.ts';
import { createDb, type Sql } from '../../../../shared/db/client.ts';
import { SUPABASE_URL } from '../../../helpers/auth-emulator.ts';
import { ManualClock } from '../../../helpers/clock.ts';
import type { FunctionsHarness } from '../../../helpers/functions.ts';
import { server } from '../../../helpers/msw.ts';
import { useCrmApi } from './helpers.ts';

export interface DocumentsHarness {
  fx: FunctionsHarness;
  /** The time of the functions, Auth and Storage alike: signed links expire when it moves. */
  clock: ManualClock;
  readonly storage: StorageEmulator;
  /** Where Storage keeps the bytes. */
  readonly dataDir: string;
  /** `fetch` for a signed URL or any SUPABASE_URL/storage/v1 address. */
  fetchStorage(url: string, init?: RequestInit): Promise<Response>;
}

/**
 * The CRM's functions with the Storage emulator behind msw at SUPABASE_URL/storage/v1, over
 * the same database (so `storage.objects` policies see the projects) and a temporary data
 * folder, verifying JWTs with the Auth emulator's keys: the api function reaches Storage
 * exactly as it reaches hosted Supabase.
 */
export function useDocumentsApi(): DocumentsHarness {
  const clock = new ManualClock();
  const fx = useCrmApi({ clock });
  let storage: StorageEmulator | undefined;
  let pool: Sql | undefined;
  let dataDir = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'documents-'));
    pool = createDb(fx.auth.db.url, { max: 4, name: 'storage-emulator' });
    const keys = fx.auth.emulator.deps.keys;
    storage = createStorageEmulator({
      db: pool,
      dataDir,
      verifyJwt: (token) => keys.verify(token),
      jwtSecret: DEMO_JWT_SECRET,
      clock,
      settings: loadStorageSettings(),
    });
  });
  beforeEach(() => {
    server.use(http.all(`${SUPABASE_URL}/storage/v1/*`, ({ request }) => storage?.fetch(request)));
  });
  afterAll(async () => {
    await pool?.end();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  return {
    fx,
    clock,
    get storage() {
      if (!storage) throw new Error('Storage exists only inside tests and hooks');
      return storage;
    },
    get dataDir() {
      return dataDir;
    },
    fetchStorage: (url, init) => {
      if (!storage) throw new Error('Storage exists only inside tests and hooks');
      return storage.fetch(new Request(url, init));
    },
  };
}

/** A small real PDF. */
export const PDF = new TextEncoder().encode(
  '%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

/** Uploads `bytes` as a client's document through the api function. */
export function uploadDocument(
  fx: FunctionsHarness,
  path: string,
  token: string | undefined,
  file: { bytes: Uint8Array; type: string; name: string },
): Promise<Response> {
  const form = new FormData();
  form.set(
    'file',
    new File([file.bytes as Uint8Array<ArrayBuffer>], file.name, { type: file.type }),
  );
  const body = new Request('http://x', { method: 'POST', body: form });
  return body.arrayBuffer().then((raw) =>
    fx.call('api', path, {
      method: 'POST',
      body: raw as unknown as string,
      token,
      headers: { 'content-type': body.headers.get('content-type') ?? '' },
    }),
  );
}
