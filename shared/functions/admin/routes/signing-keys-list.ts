import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { cursorCodec } from '../../../http/cursor.ts';
import { withCaller } from '../../../http/doors.ts';
import { listQuerySchema, listResponseSchema, toPage } from '../../../http/list.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { listSigningKeys, type SigningKeyRow } from '../../../identity/signing-keys.ts';
import { READ_NOTE, read } from './access.ts';

const SigningKeySchema = z
  .object({
    kid: z.string(),
    status: z.enum(['signing', 'verifying', 'retired']).openapi({
      description:
        '`signing`: signs new tokens; `verifying`: published, so tokens it signed still pass; ' +
        '`retired`: its tokens are refused',
    }),
    created_at: z.string(),
    superseded_at: z.string().nullable(),
    retired_at: z.string().nullable(),
  })
  .openapi('SigningKey');

const route = createRoute({
  method: 'get',
  path: '/signing-keys',
  tags: ['signing keys'],
  summary: 'List the keys of app-client tokens',
  description:
    'Newest first by default; private halves never leave the database. Needs ' +
    `\`app_clients:read\`. ${READ_NOTE} Pages with the list convention.`,
  ...read('app_clients:read'),
  request: { query: listQuerySchema({ sort: ['created_at'] }) },
  responses: {
    200: {
      description: 'One page of keys',
      content: {
        'application/json': { schema: listResponseSchema('SigningKeyList', SigningKeySchema) },
      },
    },
    ...problemResponses(401, 403, 422),
  },
});

function toSigningKey(k: SigningKeyRow) {
  return {
    kid: k.kid,
    status: k.retiredAt ? 'retired' : k.supersededAt ? 'verifying' : 'signing',
    created_at: k.createdAt.toISOString(),
    superseded_at: k.supersededAt?.toISOString() ?? null,
    retired_at: k.retiredAt?.toISOString() ?? null,
  } as const;
}

export function registerSigningKeysList(app: App): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid('query');
    const cursors = cursorCodec(c.var.services.config.CURSOR_SECRET, 'signing-keys');
    const after = await cursors.decode(query);
    const rows = await withCaller(c, (tx) =>
      listSigningKeys(tx, { order: query.order, after, limit: query.limit + 1 }),
    );
    // toPage wants an `id`: a key's is its kid.
    const page = rows.map((r) => ({ ...r, id: r.kid }));
    return c.json(await toPage(cursors, query, page, toSigningKey), 200);
  });
}
