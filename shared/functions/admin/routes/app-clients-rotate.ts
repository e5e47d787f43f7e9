import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { hashClientSecret, newClientSecret } from '../../../identity/client-secrets.ts';
import { addClientSecret, findAppClient } from '../../../rbac/app-clients.ts';
import { clientNotFound, MANAGE_NOTE, manage } from './access.ts';
import { IdParam } from './schemas.ts';

const RotateBody = z
  .strictObject({
    overlap_seconds: z.number().int().min(0).max(2_592_000).default(86_400).openapi({
      description: 'How long the secrets it had keep working (0 to 30 days; default a day)',
      example: 3600,
    }),
  })
  .openapi('RotateSecretRequest');

const Rotated = z
  .object({
    client_id: z.uuid(),
    client_secret: z.string().openapi({ description: 'The new secret, shown this once' }),
    previous_secrets_expire_at: z.string().nullable().openapi({
      description: 'When the secrets it had stop working; null when it had none',
      example: '2026-01-02T00:00:00.000Z',
    }),
  })
  .openapi('RotatedSecret');

const route = createRoute({
  method: 'post',
  path: '/app-clients/{id}/rotate-secret',
  tags: ['app clients'],
  summary: 'Rotate an app client’s secret',
  description:
    'Makes a new secret; the ones it had keep working for `overlap_seconds`, so the client ' +
    `can switch without a gap. Tokens already issued are not touched. ${MANAGE_NOTE}`,
  ...manage(),
  request: {
    params: IdParam,
    body: { required: false, content: { 'application/json': { schema: RotateBody } } },
  },
  responses: {
    200: { description: 'The new secret', content: { 'application/json': { schema: Rotated } } },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerAppClientsRotate(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    // No body at all means the defaults.
    const overlap = (c.req.valid('json') as { overlap_seconds?: number } | undefined)
      ?.overlap_seconds;
    const overlapSeconds = overlap ?? 86_400;
    const secret = newClientSecret();
    const hash = await hashClientSecret(secret);
    const now = new Date(c.var.services.clock.now());
    const result = await withCaller(c, async (tx) => {
      if (!(await findAppClient(tx, id))) return undefined;
      return { until: await addClientSecret(tx, id, hash, now, overlapSeconds) };
    });
    if (!result) throw clientNotFound();
    await audit(c, 'app_client.secret_rotated', {
      targetType: 'app_client',
      targetId: id,
      metadata: { overlap_seconds: overlapSeconds },
    });
    return c.json(
      {
        client_id: id,
        client_secret: secret,
        previous_secrets_expire_at: result.until?.toISOString() ?? null,
      },
      200,
    );
  });
}
