import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { getConnInfo } from '@hono/node-server/conninfo';
import { type Context, Hono } from 'hono';
import type { App } from '../../shared/http/context.ts';
import { ALLOWED_METHODS } from '../../shared/http/middleware/request-line.ts';

export interface GatewayOptions {
  functions: Record<string, App>;
  /** Functions whose calls need a valid JWT (`verify_jwt = true`), as Supabase's gateway checks. */
  jwtRequired: Set<string>;
  verifyJwt: (token: string) => Promise<unknown>;
  /** Other services by path prefix: `/auth/v1`, `/mailbox`, … */
  services: Record<string, (request: Request) => Response | Promise<Response>>;
}

/**
 * One HTTP front door with Supabase's URL layout. Functions are served in-process under
 * `/functions/v1/<name>/…`; as on Supabase, the function sees the path without the
 * `/functions/v1` prefix, and functions with `verify_jwt` are refused without a valid JWT
 * (the anon key, the service-role key or a user's access token).
 */
export function createGateway(opts: GatewayOptions): Hono {
  const gateway = new Hono();

  // The methods Supabase's edge forwards. Others (TRACE, CONNECT, WebDAV verbs…) are refused
  // here in the gateway's own shape: a fetch Request cannot even carry TRACE, so forwarding
  // one would fail inside the gateway.
  const methods = new Set(ALLOWED_METHODS);
  gateway.use(async (c, next) => {
    if (!methods.has(c.req.method)) {
      const res = fail(405, 'METHOD_NOT_ALLOWED', 'Method not allowed');
      res.headers.set('allow', ALLOWED_METHODS.join(', '));
      return res;
    }
    await next();
  });

  const toFunction = async (req: Request, name: string, remote?: string) => {
    const app = opts.functions[name];
    if (!app) return fail(404, 'NOT_FOUND', 'Requested function was not found');
    if (opts.jwtRequired.has(name) && req.method !== 'OPTIONS') {
      const token = /^Bearer\s+(\S+)$/i.exec(req.headers.get('authorization') ?? '')?.[1];
      if (!token) return fail(401, 401, 'Missing authorization header');
      const valid = await opts.verifyJwt(token).then(
        () => true,
        () => false,
      );
      if (!valid) return fail(401, 401, 'Invalid JWT');
    }
    return app.fetch(rewrite(req, (path) => path.replace(/^\/functions\/v1/, ''), remote));
  };
  const remote = (c: Context) => {
    try {
      return getConnInfo(c).remote.address;
    } catch {
      return undefined; // not served by node-server (an in-process request)
    }
  };
  gateway.all('/functions/v1/:name{[a-z][a-z0-9-]*}/*', (c) =>
    toFunction(c.req.raw, c.req.param('name'), remote(c)),
  );
  gateway.all('/functions/v1/:name{[a-z][a-z0-9-]*}', (c) =>
    toFunction(c.req.raw, c.req.param('name'), remote(c)),
  );

  for (const [prefix, handle] of Object.entries(opts.services)) {
    gateway.all(`${prefix}/*`, (c) => handle(c.req.raw));
    gateway.all(prefix, (c) => handle(c.req.raw));
  }

  gateway.get('/', (c) =>
    c.json({
      functions: Object.keys(opts.functions).map((name) => `/functions/v1/${name}`),
      services: Object.keys(opts.services),
    }),
  );
  gateway.notFound((c) =>
    c.json({ code: 'NOT_FOUND', message: 'No such route on the local gateway' }, 404),
  );
  return gateway;
}

const fail = (status: number, code: string | number, message: string) =>
  Response.json({ code, message }, { status });

/**
 * A copy of the request with a rewritten path and, as Supabase's edge does, the client's
 * address appended to X-Forwarded-For. The body is streamed through, not buffered.
 */
function rewrite(req: Request, path: (p: string) => string, remote?: string): Request {
  const url = new URL(req.url);
  url.pathname = path(url.pathname);
  const headers = new Headers(req.headers);
  if (remote) {
    const prior = headers.get('x-forwarded-for');
    headers.set('x-forwarded-for', prior ? `${prior}, ${remote}` : remote);
  }
  const init: RequestInit & { duplex?: 'half' } = {
    method: req.method,
    headers,
    body: req.body,
    signal: req.signal,
    duplex: 'half',
  };
  return new Request(url, init);
}

type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * WebSocket upgrades by path prefix (`/realtime/v1/` → Realtime). Node hands upgrades to
 * the server's `upgrade` event rather than to the request handler, so they bypass Hono.
 */
export function routeUpgrades(server: unknown, handlers: Record<string, UpgradeHandler>) {
  (server as Server).on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = req.url ?? '/';
    const handler = Object.entries(handlers).find(([prefix]) => path.startsWith(prefix))?.[1];
    if (handler) return handler(req, socket, head);
    socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  });
}
