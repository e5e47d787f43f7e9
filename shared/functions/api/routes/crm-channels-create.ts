import { createRoute, z } from '@hono/zod-openapi';
import { createChannel } from '../../../crm/channels.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { ChannelFields, ChannelSchema, channelCipher, toChannel } from './crm-channel-schemas.ts';
import { inProject } from './projects-access.ts';
import { notAllowed, ProjectIdParam } from './projects-schemas.ts';

const CreateChannelBody = z
  .strictObject({
    phone_number_id: ChannelFields.phone_number_id,
    name: ChannelFields.name,
    access_token: ChannelFields.access_token,
    display_phone_number: ChannelFields.display_phone_number.optional(),
    waba_id: ChannelFields.waba_id.optional(),
  })
  .openapi('CreateChannelRequest', {
    example: { phone_number_id: '106540352242922', name: 'Front desk', access_token: 'EAAG…' },
  });

const route = createRoute({
  method: 'post',
  path: '/projects/{id}/channels',
  tags: ['crm'],
  summary: 'Connect a WhatsApp number',
  description:
    'The owner connects a WhatsApp Business number: deliveries for its `phone_number_id` then ' +
    'reach this project, and replies go out through it. The access token is sealed with ' +
    'AES-GCM and never returned or logged. A number connected elsewhere is a 409.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: {
    params: ProjectIdParam,
    body: { required: true, content: { 'application/json': { schema: CreateChannelBody } } },
  },
  responses: {
    201: { description: 'The channel', content: { 'application/json': { schema: ChannelSchema } } },
    ...problemResponses(401, 403, 404, 409, 422, 503),
  },
});

export function registerCrmChannelsCreate(app: App): void {
  app.openapi(route, async (c) => {
    const { id: projectId } = c.req.valid('param');
    const body = c.req.valid('json');
    const cipher = channelCipher(c.var.services.config.CRM_ENCRYPTION_KEY);
    // The sealed token is bound to the channel's id, so the id comes first.
    const id = crypto.randomUUID();
    const sealedToken = await cipher.seal(body.access_token, id);
    const channel = await inProject(c, projectId, async ({ tx, project }) => {
      if (project.role !== 'owner') throw notAllowed();
      return createChannel(tx, {
        id,
        projectId,
        phoneNumberId: body.phone_number_id,
        displayPhoneNumber: body.display_phone_number ?? null,
        wabaId: body.waba_id ?? null,
        name: body.name,
        sealedToken,
      });
    });
    await audit(c, 'crm.channel_connected', {
      targetType: 'crm_channel',
      targetId: id,
      metadata: { project_id: projectId, phone_number_id: body.phone_number_id },
    });
    return c.json(toChannel(channel), 201);
  });
}
