import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { createMessage } from '../../../projects/messages.ts';
import { MessageKind, MessageSchema, toMessage } from './messages-schemas.ts';
import { writeInProject } from './projects-access.ts';
import { ProjectIdParam } from './projects-schemas.ts';

const CreateMessageBody = z
  .strictObject({
    content: z.string().min(1).max(100_000).openapi({ example: 'Add a chat screen' }),
    kind: MessageKind.default('text'),
    generation_id: z.uuid().nullable().optional().openapi({
      description: 'A generation of this project the message is about',
      example: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b',
    }),
  })
  .openapi('CreateProjectMessageRequest', { example: { content: 'Add a chat screen' } });

const route = createRoute({
  method: 'post',
  path: '/projects/{id}/messages',
  tags: ['projects'],
  summary: 'Post to the conversation',
  description:
    'Editors and owners add a message in their own name; viewers can read but not post. Assistant and system messages come from the worker, not from here.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: {
    params: ProjectIdParam,
    body: { required: true, content: { 'application/json': { schema: CreateMessageBody } } },
  },
  responses: {
    201: { description: 'The message', content: { 'application/json': { schema: MessageSchema } } },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerMessagesCreate(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const row = await writeInProject(c, id, ({ tx }) =>
      createMessage(tx, id, {
        content: body.content,
        kind: body.kind,
        generationId: body.generation_id ?? null,
      }),
    );
    return c.json(toMessage(row), 201);
  });
}
