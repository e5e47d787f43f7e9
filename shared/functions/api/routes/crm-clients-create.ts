import { createRoute, z } from '@hono/zod-openapi';
import { createClient } from '../../../crm/clients.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { ClientFields, ClientSchema, toClient } from './crm-schemas.ts';
import { inProject } from './projects-access.ts';
import { notAllowed, ProjectIdParam } from './projects-schemas.ts';

const CreateClientBody = z
  .strictObject({
    phone: ClientFields.phone,
    name: ClientFields.name.optional().openapi({ description: 'The phone number when left out' }),
    email: ClientFields.email.optional(),
    profile_type: ClientFields.profile_type.optional(),
    status: ClientFields.status.optional(),
    tags: ClientFields.tags.optional(),
    notes: ClientFields.notes.optional(),
  })
  .openapi('CreateClientRequest', {
    example: { phone: '+34 612 345 678', name: 'Amina Diallo', email: 'amina@example.com' },
  });

const route = createRoute({
  method: 'post',
  path: '/projects/{id}/clients',
  tags: ['crm'],
  summary: 'Add a client',
  description:
    'Owners and editors add a client by hand (WhatsApp adds those who write in). The phone ' +
    'number (stored as E.164) is unique in the project, and so is the email address, whatever ' +
    'its case: a duplicate is a 409.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: {
    params: ProjectIdParam,
    body: { required: true, content: { 'application/json': { schema: CreateClientBody } } },
  },
  responses: {
    201: { description: 'The client', content: { 'application/json': { schema: ClientSchema } } },
    ...problemResponses(401, 403, 404, 409, 422),
  },
});

export function registerCrmClientsCreate(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const client = await inProject(c, id, async ({ tx, project }) => {
      // RLS refuses it too; checked first only to answer before writing anything.
      if (project.role !== 'owner' && project.role !== 'editor') throw notAllowed();
      return createClient(tx, id, {
        phone: body.phone,
        name: body.name ?? body.phone,
        email: body.email,
        profileType: body.profile_type,
        status: body.status,
        tags: body.tags,
        notes: body.notes,
      });
    });
    return c.json(toClient(client), 201);
  });
}
