import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { findPermission } from '../../../rbac/permissions.ts';
import { permissionNotFound, READ_NOTE, read } from './access.ts';
import { IdParam, PermissionSchema, toPermission } from './schemas.ts';

const route = createRoute({
  method: 'get',
  path: '/permissions/{id}',
  tags: ['permissions'],
  summary: 'Get a permission',
  description: `Needs \`permissions:read\`. ${READ_NOTE}`,
  ...read('permissions:read'),
  request: { params: IdParam },
  responses: {
    200: {
      description: 'The permission',
      content: { 'application/json': { schema: PermissionSchema } },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerPermissionsGet(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const permission = await withCaller(c, (tx) => findPermission(tx, id));
    if (!permission) throw permissionNotFound();
    return c.json(toPermission(permission), 200);
  });
}
