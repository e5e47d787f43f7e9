import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { AppEnv } from '../context.ts';

export interface CorsOptions {
  /** Origins allowed, or `['*']` for any. */
  origins: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  /** How long a browser may keep a preflight's answer, in seconds. */
  maxAge: number;
}

/**
 * CORS. Preflights are Hono's `cors` middleware. On other requests the headers go on the
 * route's answer, problems included, and only for a request that carries an Origin (a
 * browser's). Hono's middleware writes them into a response of its own before the route
 * runs, and adds `Vary` with `c.header` after it: either makes Hono copy the route's response
 * into a new one, which costs the Node adapter its direct write (a tenth of a light read's
 * CPU). `Vary: Origin` goes on every answer unless any origin is allowed, so no cache hands
 * one origin's answer to another.
 */
export function corsHeaders(opts: CorsOptions): MiddlewareHandler<AppEnv> {
  const any = opts.origins.includes('*');
  const preflight = cors({
    origin: any ? '*' : opts.origins,
    allowHeaders: opts.allowHeaders,
    exposeHeaders: opts.exposeHeaders,
    maxAge: opts.maxAge,
  });
  const exposed = opts.exposeHeaders.join(',');
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    const origin = c.req.header('origin');
    const allowed = origin && (any ? '*' : opts.origins.includes(origin) ? origin : undefined);
    await next();
    const headers = c.res.headers;
    if (allowed) {
      headers.set('access-control-allow-origin', allowed);
      headers.set('access-control-expose-headers', exposed);
    }
    if (!any) headers.append('vary', 'Origin');
  };
}
