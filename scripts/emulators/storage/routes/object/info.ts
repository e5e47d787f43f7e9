import type { AuthMode } from '../../context.ts';
import { renderInfo } from '../../render.ts';
import type { Route } from '../../router.ts';
import { readableObject } from './access.ts';

const info = (path: string, auth: AuthMode, operation: string): Route => ({
  method: 'GET',
  path,
  operation,
  auth,
  async handle(ctx) {
    return renderInfo(await readableObject(ctx));
  },
});

/** `GET /object/info/:bucket/*`: storage-js `info`. */
export const infoObject = info(
  '/object/info/:bucket/*',
  'optional',
  'object.get_authenticated_info',
);

export const infoAuthenticated = info(
  '/object/info/authenticated/:bucket/*',
  'jwt',
  'object.get_authenticated_info',
);

export const infoPublic = info(
  '/object/info/public/:bucket/*',
  'none',
  'storage.object.info_public',
);
