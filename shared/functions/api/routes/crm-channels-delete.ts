import { createRoute } from '@hono/zod-openapi';
import { deleteChannel, findChannel } from '../../../crm/channels.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { ChannelParams, channelNotFound } from './crm-schemas.ts';
import { inProject } from './projects-access.ts';
import { notAllowed } from './projects-schemas.ts';

const route = createRoute({
  method: 'delete',
  path: '/projects/{id}/channels/{channelId}',
  tags: ['crm'],
  summary: 'Disconnect a number',
  description:
    'The owner only. Deliveries for the number are then kept but reach no project; clients and ' +
    'conversations stay.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: ChannelParams },
  responses: { 204: { description: 'Disconnected' }, ...problemResponses(401, 403, 404, 422) },
});

export function registerCrmChannelsDelete(app: App): void {
  app.openapi(route, async (c) => {
    const { id: projectId, channelId } = c.req.valid('param');
    await inProject(c, projectId, async ({ tx }) => {
      if (!(await findChannel(tx, projectId, channelId))) throw channelNotFound();
      if (!(await deleteChannel(tx, projectId, channelId))) throw notAllowed();
    });
    await audit(c, 'crm.channel_disconnected', {
      targetType: 'crm_channel',
      targetId: channelId,
      metadata: { project_id: projectId },
    });
    return c.body(null, 204);
  });
}
