import { createRoute } from '@hono/zod-openapi';
import { findImport } from '../../../crm/import/store.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { ImportParams, ImportSchema, importNotFound, toImport } from './crm-import-schemas.ts';
import { inProject } from './projects-access.ts';

const route = createRoute({
  method: 'get',
  path: '/projects/{id}/imports/{importId}',
  tags: ['crm'],
  summary: 'An import',
  description:
    'Its status, progress and report. Owners and editors (a report points at rows of ' +
    'personal data).',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: ImportParams },
  responses: {
    200: { description: 'The import', content: { 'application/json': { schema: ImportSchema } } },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerCrmImportsGet(app: App): void {
  app.openapi(route, async (c) => {
    const { id, importId } = c.req.valid('param');
    const row = await inProject(c, id, ({ tx }) => findImport(tx, id, importId));
    if (!row) throw importNotFound();
    return c.json(toImport(row), 200);
  });
}
