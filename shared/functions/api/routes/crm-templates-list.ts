import { createRoute } from '@hono/zod-openapi';
import { listTemplates } from '../../../crm/templates.ts';
import type { App } from '../../../http/context.ts';
import { cursorCodec } from '../../../http/cursor.ts';
import { listQuerySchema, listResponseSchema, toPage } from '../../../http/list.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { TemplateSchema, toTemplate } from './crm-template-schemas.ts';
import { inProject } from './projects-access.ts';
import { ProjectIdParam } from './projects-schemas.ts';

const TemplatesQuery = listQuerySchema({ sort: ['created_at'], defaultOrder: 'asc' });
const TemplateList = listResponseSchema('TemplateList', TemplateSchema);

const route = createRoute({
  method: 'get',
  path: '/projects/{id}/templates',
  tags: ['crm'],
  summary: "A project's message templates",
  description: 'Oldest first, with the list convention. Members read them.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: ProjectIdParam, query: TemplatesQuery },
  responses: {
    200: {
      description: 'One page of templates',
      content: { 'application/json': { schema: TemplateList } },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerCrmTemplatesList(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const query = c.req.valid('query');
    const cursors = cursorCodec(c.var.services.config.CURSOR_SECRET, `templates:${id}`);
    const after = await cursors.decode(query);
    const rows = await inProject(c, id, ({ tx }) =>
      listTemplates(tx, id, { order: query.order, after, limit: query.limit + 1 }),
    );
    return c.json(await toPage(cursors, query, rows, toTemplate), 200);
  });
}
