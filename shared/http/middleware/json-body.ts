import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../errors.ts';
import type { AppEnv } from '../context.ts';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const JSON_TYPE = /^application\/([\w.+-]+\+)?json\b/i;

/**
 * Parses a JSON body up front, so malformed JSON is the same 400 `malformed_json` on every
 * route. Hono caches the parsed body, so route validators reuse it instead of parsing again.
 * Paths in `raw` are left alone: their routes read the exact bytes (a signed webhook must be
 * verified before anything parses it).
 */
export function jsonBody(opts: { raw?: readonly string[] } = {}): MiddlewareHandler<AppEnv> {
  const raw = new Set(opts.raw ?? []);
  return async (c, next) => {
    const hasBody = c.req.header('content-length') !== '0' && c.req.raw.body !== null;
    if (
      !raw.has(c.req.path) &&
      WITH_BODY.has(c.req.method) &&
      hasBody &&
      JSON_TYPE.test(c.req.header('content-type') ?? '')
    ) {
      try {
        await c.req.json();
      } catch {
        throw new AppError('malformed_json', { detail: 'The request body is not valid JSON' });
      }
    }
    await next();
  };
}
