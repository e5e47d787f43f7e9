import { createRoute, z } from '@hono/zod-openapi';
import type { App } from './context.ts';

const HealthSchema = z
  .object({
    status: z.literal('ok'),
    function: z.string().openapi({ example: 'api' }),
    version: z.string().openapi({ example: '0.1.0' }),
    time: z.string().openapi({ example: '2026-01-01T00:00:00.000Z' }),
  })
  .openapi('Health');

const route = createRoute({
  method: 'get',
  path: '/health',
  tags: ['meta'],
  summary: 'Liveness check',
  responses: {
    200: {
      description: 'The function is up',
      content: { 'application/json': { schema: HealthSchema } },
    },
  },
});

export type HealthResponse = z.infer<typeof HealthSchema>;

export function registerHealth(app: App, info: { name: string; version: string }): void {
  app.openapi(route, (c) =>
    c.json(
      {
        status: 'ok' as const,
        function: info.name,
        version: info.version,
        time: new Date().toISOString(),
      },
      200,
    ),
  );
}
