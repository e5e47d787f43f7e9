import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../errors.ts';
import type { AppEnv } from '../context.ts';
import { findTooDeep, findUnsafeValues, MAX_JSON_DEPTH } from '../input/json.ts';
import { fieldPath } from '../input/text.ts';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/**
 * Wider than any JSON test a route validator applies (`application/json`, `…+json`, with or
 * without parameters), so no body reaches a validator without passing here first.
 */
const JSON_TYPE = /^\s*application\/[^;]*json/i;

const malformed = (detail: string) => new AppError('malformed_json', { detail });

/**
 * Checks a JSON body once, before any route runs, so every route refuses the same inputs the
 * same way:
 * - bytes that are not UTF-8, or text that is not JSON: 400 `malformed_json`;
 * - nesting deeper than {@link MAX_JSON_DEPTH}, found by a linear scan before parsing: 422;
 * - a NUL character or a lone surrogate in any key or string, a reserved key (`__proto__`),
 *   or a number beyond a double (`1e999`): 422 with its field path.
 *
 * Hono keeps the bytes read here, so route validators parse the same body again without
 * reading the stream twice. Paths in `raw` are left alone: their routes read the exact bytes
 * (a signed webhook must be verified before anything parses it).
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
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(await c.req.arrayBuffer());
      } catch {
        throw malformed('The request body is not valid UTF-8');
      }
      const deep = findTooDeep(text);
      if (deep) {
        throw new AppError('validation_failed', {
          detail: 'The request does not match the schema',
          errors: [
            {
              path: fieldPath('body', deep),
              message: `Nested deeper than ${MAX_JSON_DEPTH} levels`,
            },
          ],
        });
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw malformed('The request body is not valid JSON');
      }
      const errors = findUnsafeValues(value);
      if (errors.length > 0) {
        throw new AppError('validation_failed', {
          detail: 'The request does not match the schema',
          errors,
        });
      }
    }
    await next();
  };
}
