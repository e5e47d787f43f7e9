import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { findAppClient, updateAppClient } from '../../../rbac/app-clients.ts';
import { clientNotFound, MANAGE_NOTE, manage } from './access.ts';
import { AppClientFields, AppClientSchema, clientPatch, IdParam, toAppClient } from './schemas.ts';

const UpdateClientBody = z
  .strictObject({
    ...AppClientFields,
    name: AppClientFields.name.optional(),
    enabled: z.boolean().optional().openapi({
      description: '`false` refuses its new tokens at once and its issued ones within 10 s',
    }),
  })
  .openapi('UpdateAppClientRequest', { example: { token_lifetime_seconds: 900 } });

const route = createRoute({
  method: 'patch',
  path: '/app-clients/{id}',
  tags: ['app clients'],
  summary: 'Change an app client',
  description:
    'Name, description, allowed scopes (`null`: whatever its roles give), token lifetime, ' +
    `hourly token quota, enabled. ${MANAGE_NOTE}`,
  ...manage(),
  request: {
    params: IdParam,
    body: { required: true, content: { 'application/json': { schema: UpdateClientBody } } },
  },
  responses: {
    200: {
      description: 'The client, updated',
      content: { 'application/json': { schema: AppClientSchema } },
    },
    ...problemResponses(401, 403, 404, 409, 422),
  },
});

export function registerAppClientsUpdate(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const client = await withCaller(c, async (tx) =>
      (await updateAppClient(tx, id, clientPatch(body))) ? findAppClient(tx, id) : undefined,
    );
    if (!client) throw clientNotFound();
    c.var.services.appTokens.clear();
    const target = { targetType: 'app_client', targetId: id };
    await audit(c, 'app_client.updated', { ...target, metadata: { fields: Object.keys(body) } });
    if (body.enabled === false) await audit(c, 'app_client.disabled', target);
    if (body.enabled === true) await audit(c, 'app_client.enabled', target);
    return c.json(toAppClient(client), 200);
  });
}
