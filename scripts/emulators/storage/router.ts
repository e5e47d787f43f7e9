import { type AuthMode, type Ctx, metaFor, resolveCaller, type StorageDeps } from './context.ts';
import { ERRORS, routeNotFound } from './errors.ts';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/** One Storage endpoint: its method, path under /storage/v1, operation name and caller rule. */
export interface Route {
  method: Method;
  /** `:name` matches one path segment, a trailing `*` the rest (an object name). */
  path: string;
  /** Storage's operation name, readable by policies through storage.operation(). */
  operation: string;
  auth: AuthMode;
  handle(ctx: Ctx): Promise<Response>;
}

interface Compiled {
  route: Route;
  pattern: RegExp;
  names: string[];
}

function compile(route: Route): Compiled {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((part) => {
      if (part === '*') {
        names.push('*');
        return '(.*)';
      }
      if (part.startsWith(':')) {
        names.push(part.slice(1));
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), names };
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw ERRORS.validation(`'${value}' is not a valid url component`);
  }
}

/**
 * Matches requests to routes in the order given (specific paths before `/object/:bucket/*`,
 * as Storage's router prefers static segments), resolves the caller, runs the handler.
 * A HEAD without its own route is its GET without the body.
 */
export function createRouter(routes: Route[], deps: StorageDeps) {
  const compiled = routes.map(compile);

  const find = (method: string, path: string) => {
    for (const c of compiled) {
      if (c.route.method !== method) continue;
      const m = c.pattern.exec(path);
      if (m) return { c, m };
    }
    return undefined;
  };

  return async (request: Request, path: string): Promise<Response> => {
    const method = request.method.toUpperCase();
    const url = new URL(request.url);
    const hit = find(method, path) ?? (method === 'HEAD' ? find('GET', path) : undefined);
    if (!hit) return routeNotFound(method, `${path}${url.search}`);
    const { c, m } = hit;
    const params: Record<string, string> = {};
    c.names.forEach((name, i) => {
      params[name] = decode(m[i + 1] ?? '');
    });
    const caller = await resolveCaller(request, c.route.auth, deps.verifyJwt);
    const response = await c.route.handle({
      request,
      url,
      params,
      wildcard: params['*'] ?? '',
      deps,
      caller,
      meta: metaFor(deps, request, caller, c.route.operation),
    });
    if (method !== 'HEAD' || response.body === null) return response;
    await response.body.cancel();
    return new Response(null, { status: response.status, headers: response.headers });
  };
}
