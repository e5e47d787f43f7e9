import { createRoute, z } from '@hono/zod-openapi';
import { recordAccess } from '../../../crm/access-events.ts';
import { CLIENT_STATUSES, listClients } from '../../../crm/clients.ts';
import { phoneDigitsOf } from '../../../crm/phone.ts';
import type { App } from '../../../http/context.ts';
import { cursorCodec } from '../../../http/cursor.ts';
import { listQuerySchema, listResponseSchema, toPage } from '../../../http/list.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { containsPattern } from '../../../identity/users.ts';
import { ClientSchema, ProfileType, toClient } from './crm-schemas.ts';
import { inProject } from './projects-access.ts';
import { ProjectIdParam } from './projects-schemas.ts';

const ClientsQuery = listQuerySchema({ sort: ['last_activity_at', 'created_at', 'name'] }).extend({
  q: z.string().trim().min(1).max(100).optional().openapi({
    description: 'Part of a name, an email address or a phone number (digits are enough)',
    example: 'amina',
  }),
  status: z.enum(CLIENT_STATUSES).optional().openapi({
    description: 'Only this status; without it, every client but archived ones',
  }),
  profile_type: ProfileType.optional(),
  tag: z.string().trim().min(1).max(50).optional().openapi({ example: 'vip' }),
});

const ClientList = listResponseSchema('ClientList', ClientSchema);

const route = createRoute({
  method: 'get',
  path: '/projects/{id}/clients',
  tags: ['crm'],
  summary: "A project's clients",
  description:
    'The inbox order by default: last activity (a message in or out), newest first. `q` ' +
    'searches names, emails and phone numbers; `status`, `profile_type` and `tag` filter. ' +
    'Pages with the list convention (`limit`, `cursor`, `sort`, `order`). Members only.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: ProjectIdParam, query: ClientsQuery },
  responses: {
    200: {
      description: 'One page of clients',
      content: { 'application/json': { schema: ClientList } },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});

/** The ILIKE pattern for `q`: its digits when it is (part of) a phone number. */
function patternOf(q: string | undefined): string | undefined {
  if (!q) return undefined;
  return containsPattern(phoneDigitsOf(q) ?? q.toLowerCase());
}

export function registerCrmClientsList(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const query = c.req.valid('query');
    // Scoped to the project and every filter: a cursor of one list is refused on another.
    const scope = JSON.stringify([
      'clients',
      id,
      query.q,
      query.status,
      query.profile_type,
      query.tag,
    ]);
    const cursors = cursorCodec(c.var.services.config.CURSOR_SECRET, scope);
    const after = await cursors.decode(query);
    const rows = await inProject(c, id, async ({ tx }) => {
      const found = await listClients(tx, id, {
        pattern: patternOf(query.q),
        status: query.status,
        profileType: query.profile_type,
        tag: query.tag,
        sort: query.sort,
        order: query.order,
        after,
        limit: query.limit + 1,
      });
      // GDPR: the clients shown on this page were read (the look-ahead row was not shown).
      const shown = found.slice(0, query.limit).map((r) => r.id);
      await recordAccess(tx, id, shown, 'list');
      return found;
    });
    return c.json(await toPage(cursors, query, rows, toClient), 200);
  });
}
