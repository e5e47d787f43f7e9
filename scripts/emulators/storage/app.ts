import { type Clock, systemClock } from '../../../shared/clock.ts';
import type { Sql } from '../../../shared/db/client.ts';
import type { StorageDeps, VerifyJwt } from './context.ts';
import { renderError, routeNotFound } from './errors.ts';
import { ObjectFiles } from './files.ts';
import { createRouter } from './router.ts';
import { routes } from './routes/index.ts';
import type { StorageSettings } from './settings.ts';

/** Where the API lives, as on Supabase. */
export const STORAGE_BASE = '/storage/v1';

export interface StorageEmulator {
  /** The Storage API under `/storage/v1/…`, as supabase-js `.storage` calls it. */
  fetch(request: Request): Promise<Response>;
  /** The file holding an object's bytes, or undefined when there is no such object. */
  fileOf(bucket: string, name: string): Promise<string | undefined>;
  readonly settings: StorageSettings;
}

export interface StorageEmulatorOptions {
  /** A superuser pool; each request switches role inside its own transactions. */
  db: Sql;
  /** Where object bytes are kept (e.g. `.local/storage`). */
  dataDir: string;
  /** Verifies callers' JWTs, as the rest of the stack does (the Auth emulator's keys). */
  verifyJwt: VerifyJwt;
  /** The project's JWT secret: it signs and verifies signed URL tokens. */
  jwtSecret: string;
  clock?: Clock;
  settings: StorageSettings;
}

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, POST, PUT, DELETE, OPTIONS',
  'Access-Control-Expose-Headers':
    'Content-Length, Content-Range, Content-Type, ETag, Last-Modified, Cache-Control',
  'Access-Control-Max-Age': '3600',
};

/**
 * An emulator of the Supabase Storage HTTP API for local runs and tests: bucket and object
 * metadata in this PostgreSQL's `storage` schema (RLS decides every access, with the
 * caller's role and claims), bytes in `dataDir`. The official storage-js (supabase-js
 * `.storage`) works against it unchanged. Image transformation is off.
 *
 * @example
 * const storage = createStorageEmulator({ db, dataDir: '.local/storage', jwtSecret,
 *   verifyJwt: (t) => auth.deps.keys.verify(t), settings: loadStorageSettings() });
 * gateway services: { '/storage/v1': storage.fetch }
 */
export function createStorageEmulator(opts: StorageEmulatorOptions): StorageEmulator {
  const files = new ObjectFiles(opts.dataDir);
  const deps: StorageDeps = {
    sql: opts.db,
    files,
    verifyJwt: opts.verifyJwt,
    secret: new TextEncoder().encode(opts.jwtSecret),
    clock: opts.clock ?? systemClock,
    settings: opts.settings,
  };
  const route = createRouter(routes, deps);

  const handle = async (request: Request): Promise<Response> => {
    const { pathname, search } = new URL(request.url);
    if (request.method === 'OPTIONS') {
      const asked = request.headers.get('access-control-request-headers');
      return new Response(null, {
        status: 204,
        headers: { ...CORS, 'Access-Control-Allow-Headers': asked ?? '*' },
      });
    }
    if (pathname !== STORAGE_BASE && !pathname.startsWith(`${STORAGE_BASE}/`)) {
      return routeNotFound(request.method, `${pathname}${search}`);
    }
    try {
      return await route(request, pathname.slice(STORAGE_BASE.length) || '/');
    } catch (err) {
      const res = renderError(err);
      if (res.status >= 500) console.error('storage emulator:', err);
      return res;
    }
  };

  return {
    settings: opts.settings,
    async fetch(request) {
      const res = await handle(request);
      for (const [k, v] of Object.entries(CORS)) res.headers.set(k, v);
      return res;
    },
    async fileOf(bucket, name) {
      const [row] = await opts.db`
        select version from storage.objects where bucket_id = ${bucket} and name = ${name}`;
      return row ? files.pathOf(row.version) : undefined;
    },
  };
}
