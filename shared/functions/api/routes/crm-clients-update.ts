import { createRoute, z } from '@hono/zod-openapi';
import { findClient, updateClient } from '../../../crm/clients.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import {
  ClientFields,
  ClientParams,
  ClientSchema,
  clientNotFound,
  toClient,
} from './crm-schemas.ts';
import { inProject } from './projects-access.ts';
import { notAllowed } from './projects-schemas.ts';

const UpdateClientBody = z
  .strictObject({
    phone: ClientFields.phone.optional(),
    name: ClientFields.name.optional(),
    email: ClientFields.email.optional(),
    profile_type: ClientFields.profile_type.optional(),
    status: ClientFields.status.optional(),
    tags: ClientFields.tags.optional(),
    notes: ClientFields.notes.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'Give at least one field', path: [] })
  .openapi('UpdateClientRequest', { example: { profile_type: 'work_permit', tags: ['vip'] } });

const route = createRoute({
  method: 'patch',
  path: '/projects/{id}/clients/{clientId}',
  tags: ['crm'],
  summary: 'Edit a client',
  description:
    'Owners and editors change the fields given. A profile type set here is final for the ' +
    'classifier until set to null; the timeline records the change and who made it.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: {
    params: ClientParams,
    body: { required: true, content: { 'application/json': { schema: UpdateClientBody } } },
  },
  responses: {
    200: { description: 'The client', content: { 'application/json': { schema: ClientSchema } } },
    ...problemResponses(401, 403, 404, 409, 422),
  },
});

export function registerCrmClientsUpdate(app: App): void {
  app.openapi(route, async (c) => {
    const { id, clientId } = c.req.valid('param');
    const body = c.req.valid('json');
    const client = await inProject(c, id, async ({ tx }) => {
      if (!(await findClient(tx, id, clientId))) throw clientNotFound();
      const row = await updateClient(tx, id, clientId, {
        phone: body.phone,
        name: body.name,
        email: body.email,
        profileType: body.profile_type,
        status: body.status,
        tags: body.tags,
        notes: body.notes,
      });
      // Seen but not changed: RLS filtered the update (a viewer).
      if (!row) throw notAllowed();
      return row;
    });
    return c.json(toClient(client), 200);
  });
}
