import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../../log.ts';
import type { AppEnv } from '../context.ts';

/**
 * Gives each request a child logger bound to its request id and writes one access line
 * when the response is ready. Only method, path, status and timing are logged: never
 * headers, query strings or bodies, which is where secrets travel.
 */
export function requestLogger(log: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const clientId = c.get('clientRequestId');
    const reqLog = log.child({
      request_id: c.get('requestId'),
      ...(clientId ? { client_request_id: clientId } : {}),
    });
    c.set('log', reqLog);
    await next();
    reqLog.info('request', {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: Math.round((performance.now() - started) * 100) / 100,
    });
  };
}
