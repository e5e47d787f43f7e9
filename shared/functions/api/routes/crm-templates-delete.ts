import { createRoute } from '@hono/zod-openapi';
import { deleteTemplate, findTemplate } from '../../../crm/templates.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { TemplateParams, templateNotFound } from './crm-schemas.ts';
import { inProject } from './projects-access.ts';
import { notAllowed } from './projects-schemas.ts';

const route = createRoute({
  method: 'delete',
  path: '/projects/{id}/templates/{templateId}',
  tags: ['crm'],
  summary: 'Remove a message template',
  description: 'Owners and editors; messages sent with it keep their text.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: TemplateParams },
  responses: { 204: { description: 'Removed' }, ...problemResponses(401, 403, 404, 422) },
});

export function registerCrmTemplatesDelete(app: App): void {
  app.openapi(route, async (c) => {
    const { id, templateId } = c.req.valid('param');
    await inProject(c, id, async ({ tx }) => {
      if (!(await findTemplate(tx, id, templateId))) throw templateNotFound();
      if (!(await deleteTemplate(tx, id, templateId))) throw notAllowed();
    });
    return c.body(null, 204);
  });
}
