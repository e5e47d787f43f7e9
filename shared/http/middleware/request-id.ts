import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';

/** What a client's own request id may look like to be kept: short, and nothing to inject. */
const CLIENT_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Gives every request an id of the server's own making, returned in `x-request-id` and
 * carried by every log line, problem and audit event. A client's `x-request-id` is never
 * used in its place (it could collide with another request's or carry anything into the
 * logs); it is kept beside it as `clientRequestId`, and only when it matches a short, safe
 * pattern, so a client can still correlate.
 */
export function requestIds(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const id = crypto.randomUUID();
    c.set('requestId', id);
    const sent = c.req.header('x-request-id');
    if (sent && CLIENT_ID.test(sent)) c.set('clientRequestId', sent);
    await next();
    // On the answer itself, whoever made it (a route, the error handler, a function's own
    // Response): set with c.header now, it would make Hono copy the response.
    c.res.headers.set('x-request-id', id);
  };
}
