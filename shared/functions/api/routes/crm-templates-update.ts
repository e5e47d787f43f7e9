import { createRoute } from '@hono/zod-openapi';
import { findTemplate, replaceTemplate } from '../../../crm/templates.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { TemplateParams, templateNotFound } from './crm-schemas.ts';
import { TemplateBody, TemplateSchema, toFields, toTemplate } from './crm-template-schemas.ts';
import { inProject } from './projects-access.ts';
import { notAllowed } from './projects-schemas.ts';

const route = createRoute({
  method: 'put',
  path: '/projects/{id}/templates/{templateId}',
  tags: ['crm'],
  summary: 'Replace a message template',
  description: 'Owners and editors; messages already sent with it keep their text.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: {
    params: TemplateParams,
    body: { required: true, content: { 'application/json': { schema: TemplateBody } } },
  },
  responses: {
    200: {
      description: 'The template',
      content: { 'application/json': { schema: TemplateSchema } },
    },
    ...problemResponses(401, 403, 404, 409, 422),
  },
});

export function registerCrmTemplatesUpdate(app: App): void {
  app.openapi(route, async (c) => {
    const { id, templateId } = c.req.valid('param');
    const body = c.req.valid('json');
    const template = await inProject(c, id, async ({ tx }) => {
      if (!(await findTemplate(tx, id, templateId))) throw templateNotFound();
      const row = await replaceTemplate(tx, id, templateId, toFields(body));
      if (!row) throw notAllowed();
      return row;
    });
    return c.json(toTemplate(template), 200);
  });
}
