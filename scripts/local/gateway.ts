import { Hono } from 'hono';
import type { App } from '../../shared/http/context.ts';

/**
 * One HTTP front door with Supabase's URL layout. Functions are served in-process under
 * `/functions/v1/<name>/…`; as on Supabase, the function sees the path without the
 * `/functions/v1` prefix.
 */
export function createGateway(functions: Record<string, App>): Hono {
  const gateway = new Hono();

  gateway.all('/functions/v1/:name{[a-z][a-z0-9-]*}/*', (c) =>
    forward(c.req.raw, functions[c.req.param('name')]),
  );
  gateway.all('/functions/v1/:name{[a-z][a-z0-9-]*}', (c) =>
    forward(c.req.raw, functions[c.req.param('name')]),
  );

  gateway.get('/', (c) =>
    c.json({ functions: Object.keys(functions).map((name) => `/functions/v1/${name}`) }),
  );
  gateway.notFound((c) =>
    c.json({ code: 'NOT_FOUND', message: 'No such route on the local gateway' }, 404),
  );
  return gateway;
}

function forward(req: Request, app: App | undefined): Response | Promise<Response> {
  if (!app) {
    return Response.json(
      { code: 'NOT_FOUND', message: 'Requested function was not found' },
      { status: 404 },
    );
  }
  const url = new URL(req.url);
  url.pathname = url.pathname.replace(/^\/functions\/v1/, '');
  const init: RequestInit & { duplex?: 'half' } = {
    method: req.method,
    headers: req.headers,
    body: req.body,
    signal: req.signal,
    duplex: 'half',
  };
  return app.fetch(new Request(url, init));
}
