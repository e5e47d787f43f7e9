import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { AppError, type FieldError } from '../../errors.ts';
import type { AppEnv } from '../context.ts';
import { fieldPath, unsafeTextReason } from '../input/text.ts';

/** The methods a function answers; Supabase's edge forwards these (HEAD is served as GET). */
export const ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const ALLOWED = new Set(ALLOWED_METHODS);

const BAD_ENCODING = 'Must be valid UTF-8 and percent-encoding';

/** Decodes one URL component, or says why it cannot be accepted. */
function decode(raw: string, plusIsSpace: boolean): { text: string } | { reason: string } {
  let text: string;
  try {
    text = decodeURIComponent(plusIsSpace ? raw.replaceAll('+', ' ') : raw);
  } catch {
    return { reason: BAD_ENCODING };
  }
  const reason = unsafeTextReason(text);
  return reason ? { reason } : { text };
}

/** The route's name for path segment `index` (`id` for `:id`), when a route matched. */
function paramName(c: Context<AppEnv>, index: number): string | undefined {
  const segment = routePath(c, -1).split('/')[index];
  if (!segment?.startsWith(':')) return undefined;
  return segment.slice(1).replace(/\{.*$/, '').replace(/\?$/, '');
}

function pathErrors(c: Context<AppEnv>, pathname: string): FieldError[] {
  const errors: FieldError[] = [];
  pathname.split('/').forEach((raw, index) => {
    const result = decode(raw, false);
    if (!('reason' in result)) return;
    const name = paramName(c, index);
    errors.push({
      path: name ? fieldPath('param', [name]) : 'path',
      message: result.reason,
    });
  });
  return errors;
}

function queryErrors(search: string): FieldError[] {
  const errors: FieldError[] = [];
  if (search.length <= 1) return errors;
  for (const pair of search.slice(1).split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const name = decode(rawName, true);
    const shownName = 'text' in name ? name.text : rawName;
    if ('reason' in name) {
      errors.push({ path: fieldPath('query', [shownName]), message: name.reason });
      continue;
    }
    const value = eq === -1 ? { text: '' } : decode(pair.slice(eq + 1), true);
    if ('reason' in value) {
      errors.push({ path: fieldPath('query', [shownName]), message: value.reason });
    }
  }
  return errors;
}

/**
 * Refuses, before any route runs, what no route could handle:
 * - a method outside {@link ALLOWED_METHODS}: 405 `method_not_allowed` with `Allow`;
 * - a path segment, query name or query value that is not valid percent-encoded UTF-8 or
 *   holds a NUL or a lone surrogate: 422 `validation_failed` with the field path
 *   (`param.id` when a route names the segment, else `path`; `query.<name>`).
 *
 * Routes then never see text PostgreSQL would reject or Hono would leave half-decoded.
 */
export function requestLine(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!ALLOWED.has(c.req.method)) {
      throw new AppError('method_not_allowed', {
        detail: `The method ${c.req.method.slice(0, 20)} is not supported`,
        headers: { allow: ALLOWED_METHODS.join(', ') },
      });
    }
    const url = new URL(c.req.url);
    const errors = [...pathErrors(c, url.pathname), ...queryErrors(url.search)];
    if (errors.length > 0) {
      throw new AppError('validation_failed', {
        detail: 'The request does not match the schema',
        errors: errors.slice(0, 20),
      });
    }
    await next();
  };
}
