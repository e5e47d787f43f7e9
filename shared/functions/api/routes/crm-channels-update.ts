import { createRoute, z } from '@hono/zod-openapi';
import { findChannel, updateChannel } from '../../../crm/channels.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { ChannelFields, ChannelSchema, channelCipher, toChannel } from './crm-channel-schemas.ts';
import { ChannelParams, channelNotFound } from './crm-schemas.ts';
import { inProject } from './projects-access.ts';
import { notAllowed } from './projects-schemas.ts';

const UpdateChannelBody = z
  .strictObject({
    name: ChannelFields.name.optional(),
    access_token: ChannelFields.access_token.optional(),
    display_phone_number: ChannelFields.display_phone_number.optional(),
    waba_id: ChannelFields.waba_id.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'Give at least one field', path: [] })
  .openapi('UpdateChannelRequest', { example: { access_token: 'EAAG…' } });

const route = createRoute({
  method: 'patch',
  path: '/projects/{id}/channels/{channelId}',
  tags: ['crm'],
  summary: 'Rename a number or replace its token',
  description: 'The owner only. A new access token is sealed like the first; none is returned.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: {
    params: ChannelParams,
    body: { required: true, content: { 'application/json': { schema: UpdateChannelBody } } },
  },
  responses: {
    200: { description: 'The channel', content: { 'application/json': { schema: ChannelSchema } } },
    ...problemResponses(401, 403, 404, 422, 503),
  },
});

export function registerCrmChannelsUpdate(app: App): void {
  app.openapi(route, async (c) => {
    const { id: projectId, channelId } = c.req.valid('param');
    const body = c.req.valid('json');
    const sealedToken =
      body.access_token === undefined
        ? undefined
        : await channelCipher(c.var.services.config.CRM_ENCRYPTION_KEY).seal(
            body.access_token,
            channelId,
          );
    const channel = await inProject(c, projectId, async ({ tx, project }) => {
      if (!(await findChannel(tx, projectId, channelId))) throw channelNotFound();
      if (project.role !== 'owner') throw notAllowed();
      const row = await updateChannel(tx, projectId, channelId, {
        name: body.name,
        displayPhoneNumber: body.display_phone_number,
        wabaId: body.waba_id,
        sealedToken,
      });
      if (!row) throw notAllowed();
      return row;
    });
    await audit(c, 'crm.channel_updated', {
      targetType: 'crm_channel',
      targetId: channelId,
      metadata: { project_id: projectId, rotated: sealedToken !== undefined },
    });
    return c.json(toChannel(channel), 200);
  });
}
