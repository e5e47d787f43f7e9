import type { AuthMode } from '../../context.ts';
import { renderAsset } from '../../render.ts';
import type { Route } from '../../router.ts';
import { readableObject } from './access.ts';

const download = (path: string, auth: AuthMode, operation: string): Route => ({
  method: 'GET',
  path,
  operation,
  auth,
  async handle(ctx) {
    return renderAsset(ctx, await readableObject(ctx));
  },
});

/** `GET /object/authenticated/:bucket/*`: needs a valid JWT (storage-js `download`). */
export const downloadAuthenticated = download(
  '/object/authenticated/:bucket/*',
  'jwt',
  'storage.object.get_authenticated',
);

/** `GET /object/public/:bucket/*`: public buckets only, no caller (`getPublicUrl`). */
export const downloadPublic = download(
  '/object/public/:bucket/*',
  'none',
  'storage.object.get_public',
);

/** `GET /object/:bucket/*`: a valid JWT reads through RLS; without one, public buckets only. */
export const downloadObject = download(
  '/object/:bucket/*',
  'optional',
  'storage.object.get_authenticated',
);
