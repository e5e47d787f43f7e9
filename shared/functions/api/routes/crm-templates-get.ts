import { createRoute } from '@hono/zod-openapi';
import { findTemplate } from '../../../crm/templates.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { TemplateParams, templateNotFound } from './crm-schemas.ts';
import { TemplateSchema, toTemplate } from './crm-template-schemas.ts';
import { inProject } from './projects-access.ts';

const route = createRoute({
  method: 'get',
  path: '/projects/{id}/templates/{templateId}',
  tags: ['crm'],
  summary: 'A message template',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: TemplateParams },
  responses: {
    200: {
      description: 'The template',
      content: { 'application/json': { schema: TemplateSchema } },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerCrmTemplatesGet(app: App): void {
  app.openapi(route, async (c) => {
    const { id, templateId } = c.req.valid('param');
    const template = await inProject(c, id, ({ tx }) => findTemplate(tx, id, templateId));
    if (!template) throw templateNotFound();
    return c.json(toTemplate(template), 200);
  });
}
