import { createRoute, z } from '@hono/zod-openapi';
import { channelIdsOf } from '../../../crm/channels.ts';
import { findClient } from '../../../crm/clients.ts';
import { queueOutbound, serviceWindowOpen } from '../../../crm/messages.ts';
import {
  findTemplate,
  isFreeForm,
  parameterProblems,
  renderTemplate,
} from '../../../crm/templates.ts';
import { AppError } from '../../../errors.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { enqueue } from '../../../jobs/enqueue.ts';
import type { OutboundMessage } from '../../../whatsapp/graph-types.ts';
import { MessageSchema, toMessage } from './crm-message-schemas.ts';
import { ClientParams, clientNotFound, unknownReference } from './crm-schemas.ts';
import { inProject } from './projects-access.ts';
import { notAllowed } from './projects-schemas.ts';

const channel = z.uuid().optional().openapi({
  description:
    "The number to send from; by default the one the client last wrote to, or the project's only one",
});

const SendBody = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('text'),
      text: z.string().min(1).max(4096).openapi({ example: 'Your appointment is confirmed.' }),
      preview_url: z.boolean().optional(),
      channel_id: channel,
    }),
    z.strictObject({
      type: z.literal('template'),
      template_id: z.uuid(),
      parameters: z
        .record(z.string().max(64), z.string().max(1024))
        .default({})
        .openapi({
          description: "Values of the template's parameters, by name",
          example: { '1': 'Amina' },
        }),
      channel_id: channel,
    }),
  ])
  .openapi('SendMessageRequest', {
    example: { type: 'text', text: 'Your appointment is confirmed.' },
  });

const route = createRoute({
  method: 'post',
  path: '/projects/{id}/clients/{clientId}/messages',
  tags: ['crm'],
  summary: 'Send a WhatsApp message',
  description:
    'Owners and editors queue a text or a stored template; the worker sends it through the ' +
    'Graph API (retrying 429 and 5xx with backoff, every attempt recorded) and its statuses ' +
    'follow on the timeline and the `crm:<project id>` channel. As Meta does, free text (and ' +
    'interactive buttons or lists) more than 24 hours after the client last wrote is refused: ' +
    '409 `template_required`; Meta-approved templates always go.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: {
    params: ClientParams,
    body: { required: true, content: { 'application/json': { schema: SendBody } } },
  },
  responses: {
    202: { description: 'Queued', content: { 'application/json': { schema: MessageSchema } } },
    ...problemResponses(401, 403, 404, 409, 422),
  },
});

const noChannel = () =>
  new AppError('conflict', { detail: 'Connect a WhatsApp number to this project first' });

export function registerCrmMessagesSend(app: App): void {
  app.openapi(route, async (c) => {
    const { id, clientId } = c.req.valid('param');
    const body = c.req.valid('json');
    const now = c.var.services.clock.now();
    const messageId = crypto.randomUUID();
    const message = await inProject(c, id, async ({ tx, project }) => {
      const client = await findClient(tx, id, clientId);
      if (!client) throw clientNotFound();
      if (project.role !== 'owner' && project.role !== 'editor') throw notAllowed();
      if (client.status === 'archived') {
        throw new AppError('conflict', { detail: 'The client is archived; restore them first' });
      }
      const channels = await channelIdsOf(tx, id);
      let channelId = body.channel_id ?? client.channelId ?? undefined;
      if (!channelId) {
        if (channels.length > 1)
          throw unknownReference('body.channel_id', 'Choose the number to send from');
        channelId = channels[0];
      }
      if (!channelId) throw noChannel();
      if (!channels.includes(channelId)) {
        throw unknownReference('body.channel_id', 'No such number in this project');
      }
      let rendered: { message: OutboundMessage; body: string };
      let freeForm = true;
      if (body.type === 'text') {
        const text = { body: body.text, ...(body.preview_url ? { preview_url: true } : {}) };
        rendered = { message: { to: client.phone, type: 'text', text }, body: body.text };
      } else {
        const template = await findTemplate(tx, id, body.template_id);
        if (!template)
          throw unknownReference('body.template_id', 'No such template in this project');
        const { missing, unknown } = parameterProblems(template, body.parameters);
        if (missing.length || unknown.length) {
          throw new AppError('validation_failed', {
            detail: 'The parameters do not match the template',
            errors: [
              ...missing.map((n) => ({ path: `body.parameters.${n}`, message: 'Required' })),
              ...unknown.map((n) => ({
                path: `body.parameters.${n}`,
                message: 'Not a parameter of the template',
              })),
            ],
          });
        }
        rendered = renderTemplate(template, body.parameters, client.phone);
        freeForm = isFreeForm(template.kind);
      }
      if (freeForm && !serviceWindowOpen(client, channelId, now)) {
        throw new AppError('template_required', {
          detail:
            'The client has not written in the last 24 hours: Meta delivers only approved ' +
            'templates until they write again',
        });
      }
      const row = await queueOutbound(tx, {
        id: messageId,
        projectId: id,
        clientId,
        channelId,
        templateId: body.type === 'template' ? body.template_id : null,
        body: rendered.body,
        message: rendered.message,
        at: new Date(now),
      });
      await enqueue(tx, 'whatsapp.send', { message_id: messageId });
      return row;
    });
    return c.json(toMessage(message), 202);
  });
}
