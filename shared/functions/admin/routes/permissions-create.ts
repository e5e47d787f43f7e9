import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { createPermission, findPermission } from '../../../rbac/permissions.ts';
import { MANAGE_NOTE, manage } from './access.ts';
import { Description, PermissionName, PermissionSchema, toPermission } from './schemas.ts';

const CreatePermissionBody = z
  .strictObject({ name: PermissionName, description: Description.optional() })
  .openapi('CreatePermissionRequest', {
    example: { name: 'reports:read', description: 'Read reports' },
  });

const route = createRoute({
  method: 'post',
  path: '/permissions',
  tags: ['permissions'],
  summary: 'Create a permission',
  description: `Permissions are \`resource:action\`; \`resource:*\` grants every action. ${MANAGE_NOTE}`,
  ...manage(),
  request: {
    body: { required: true, content: { 'application/json': { schema: CreatePermissionBody } } },
  },
  responses: {
    201: {
      description: 'The permission',
      content: { 'application/json': { schema: PermissionSchema } },
    },
    ...problemResponses(401, 403, 409, 422),
  },
});

export function registerPermissionsCreate(app: App): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const permission = await withCaller(c, async (tx) =>
      findPermission(tx, await createPermission(tx, body)),
    );
    if (!permission) throw new Error('a created permission was not found');
    await audit(c, 'permission.created', {
      targetType: 'permission',
      targetId: permission.id,
      metadata: { name: permission.name },
    });
    return c.json(toPermission(permission), 201);
  });
}
