import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { hashClientSecret, newClientSecret } from '../../../identity/client-secrets.ts';
import { addClientSecret, createAppClient, findAppClient } from '../../../rbac/app-clients.ts';
import { addClientRole } from '../../../rbac/assignments.ts';
import { findRole } from '../../../rbac/roles.ts';
import { MANAGE_NOTE, manage, roleNotFound } from './access.ts';
import { AppClientFields, AppClientSchema, clientPatch, toAppClient } from './schemas.ts';

const CreateClientBody = z
  .strictObject({
    ...AppClientFields,
    role_ids: z.array(z.uuid()).max(50).optional().openapi({ description: 'Roles to give it' }),
  })
  .openapi('CreateAppClientRequest', {
    example: { name: 'nightly-reports', role_ids: ['0b5b4b1e-3f0c-4a5e-9b1e-3f0c4a5e9b1e'] },
  });

const CreatedClient = AppClientSchema.extend({
  client_id: z.uuid(),
  client_secret: z.string().openapi({
    description: 'Shown this once: only its hash is kept',
    example: 'q2m3Yx0m7l2oQn0qkQ5ZQmVxQ0x0Q3h2b1B3T2d4Q0E',
  }),
}).openapi('CreatedAppClient');

const route = createRoute({
  method: 'post',
  path: '/app-clients',
  tags: ['app clients'],
  summary: 'Create an app client',
  description:
    'Answers with `client_secret` once (256 random bits; only its SHA-256 is stored). The ' +
    `client then gets tokens at the auth function’s \`POST /token\`. ${MANAGE_NOTE}`,
  ...manage(),
  request: {
    body: { required: true, content: { 'application/json': { schema: CreateClientBody } } },
  },
  responses: {
    201: {
      description: 'The client, with its secret',
      content: { 'application/json': { schema: CreatedClient } },
    },
    ...problemResponses(401, 403, 404, 409, 422),
  },
});

export function registerAppClientsCreate(app: App): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const secret = newClientSecret();
    const hash = await hashClientSecret(secret);
    const now = new Date(c.var.services.clock.now());
    const client = await withCaller(c, async (tx) => {
      const id = await createAppClient(tx, { ...clientPatch(body), name: body.name });
      await addClientSecret(tx, id, hash, now, 0);
      for (const roleId of new Set(body.role_ids ?? [])) {
        if (!(await findRole(tx, roleId))) throw roleNotFound();
        await addClientRole(tx, id, roleId);
      }
      return findAppClient(tx, id);
    });
    if (!client) throw new Error('a created app client was not found');
    await audit(c, 'app_client.created', {
      targetType: 'app_client',
      targetId: client.id,
      metadata: { name: client.name, roles: client.roles.map((r) => r.name) },
    });
    return c.json({ ...toAppClient(client), client_id: client.id, client_secret: secret }, 201);
  });
}
