import type { AuthMode } from '../../context.ts';
import { renderHead } from '../../render.ts';
import type { Route } from '../../router.ts';
import { readableObject } from './access.ts';

const head = (path: string, auth: AuthMode, operation: string): Route => ({
  method: 'HEAD',
  path,
  operation,
  auth,
  async handle(ctx) {
    return renderHead(await readableObject(ctx));
  },
});

/** `HEAD /object/:bucket/*`: storage-js `exists`; an invalid or missing JWT is anonymous. */
export const headObject = head('/object/:bucket/*', 'optional', 'object.head_authenticated_info');

export const headAuthenticated = head(
  '/object/authenticated/:bucket/*',
  'jwt',
  'object.head_authenticated_info',
);

export const headPublic = head('/object/public/:bucket/*', 'none', 'storage.object.info_public');
