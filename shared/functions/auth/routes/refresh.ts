import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../../errors.ts';
import { clientIp } from '../../../http/client-ip.ts';
import type { App } from '../../../http/context.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { fromAuthError } from '../support/gotrue-errors.ts';
import { SessionSchema, toSession } from '../support/session.ts';

const RefreshBody = z
  .object({ refresh_token: z.string().min(1).max(512).openapi({ example: 'Gq1xk2ZnY5QmJ' }) })
  .openapi('RefreshRequest');

const route = createRoute({
  method: 'post',
  path: '/refresh',
  tags: ['auth'],
  summary: 'Exchange a refresh token for a new session',
  description:
    'Refresh tokens rotate: use the new one next time. Presenting a used one after the ' +
    'reuse interval ends the whole session.',
  request: { body: { required: true, content: { 'application/json': { schema: RefreshBody } } } },
  responses: {
    200: { description: 'New tokens', content: { 'application/json': { schema: SessionSchema } } },
    ...problemResponses(401, 403, 422, 429),
  },
});

export function registerRefresh(app: App): void {
  app.openapi(route, async (c) => {
    const { refresh_token } = c.req.valid('json');
    const { data, error } = await c.var.services
      .authClient({ ip: clientIp(c) })
      .auth.refreshSession({ refresh_token });
    if (error || !data.session) throw error ? fromAuthError(error) : new AppError('invalid_token');
    return c.json(toSession(data.session), 200);
  });
}
