import { createRoute } from '@hono/zod-openapi';
import { createTemplate } from '../../../crm/templates.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { TemplateBody, TemplateSchema, toFields, toTemplate } from './crm-template-schemas.ts';
import { inProject } from './projects-access.ts';
import { notAllowed, ProjectIdParam } from './projects-schemas.ts';

const route = createRoute({
  method: 'post',
  path: '/projects/{id}/templates',
  tags: ['crm'],
  summary: 'Store a message template',
  description:
    'Owners and editors. A `template` must match one approved for the number in WhatsApp ' +
    'Manager (same name, language and parameters). A name and language already used in the ' +
    'project is a 409.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: {
    params: ProjectIdParam,
    body: { required: true, content: { 'application/json': { schema: TemplateBody } } },
  },
  responses: {
    201: {
      description: 'The template',
      content: { 'application/json': { schema: TemplateSchema } },
    },
    ...problemResponses(401, 403, 404, 409, 422),
  },
});

export function registerCrmTemplatesCreate(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const template = await inProject(c, id, async ({ tx, project }) => {
      if (project.role !== 'owner' && project.role !== 'editor') throw notAllowed();
      return createTemplate(tx, id, toFields(body));
    });
    return c.json(toTemplate(template), 201);
  });
}
