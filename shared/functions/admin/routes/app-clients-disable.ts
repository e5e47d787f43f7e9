import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { findAppClient, updateAppClient } from '../../../rbac/app-clients.ts';
import { clientNotFound, MANAGE_NOTE, manage } from './access.ts';
import { AppClientSchema, IdParam, toAppClient } from './schemas.ts';

const route = createRoute({
  method: 'post',
  path: '/app-clients/{id}/disable',
  tags: ['app clients'],
  summary: 'Disable an app client',
  description:
    'It gets no new token, and the API refuses the tokens it holds within 10 seconds (RLS ' +
    `at once). \`PATCH\` with \`enabled: true\` brings it back. ${MANAGE_NOTE}`,
  ...manage(),
  request: { params: IdParam },
  responses: {
    200: {
      description: 'The client, disabled',
      content: { 'application/json': { schema: AppClientSchema } },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerAppClientsDisable(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const client = await withCaller(c, async (tx) =>
      (await updateAppClient(tx, id, { enabled: false })) ? findAppClient(tx, id) : undefined,
    );
    if (!client) throw clientNotFound();
    c.var.services.appTokens.clear();
    await audit(c, 'app_client.disabled', { targetType: 'app_client', targetId: id });
    return c.json(toAppClient(client), 200);
  });
}
