import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { ANONYMOUS } from '../auth/principal.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { App, AppEnv } from './context.ts';
import { registerDocs } from './docs.ts';
import { registerHealth } from './health.ts';
import { authentication } from './middleware/auth.ts';
import { corsHeaders } from './middleware/cors.ts';
import { jsonBody } from './middleware/json-body.ts';
import { requestLogger } from './middleware/logging.ts';
import { requestIds } from './middleware/request-id.ts';
import { requestLine } from './middleware/request-line.ts';
import { errorHandler, notFoundHandler, problemResponse, validationError } from './problem.ts';
import type { Services } from './services.ts';

export interface AppOptions {
  /** The function name; also the path prefix, as Supabase routes `/functions/v1/<name>/…`. */
  name: string;
  title: string;
  description: string;
  version?: string;
  corsOrigins: string[];
  bodyLimitBytes: number;
  log: Logger;
  services: Services;
  /** Paths (under the function's prefix) whose body the route reads raw, unparsed. */
  rawBodyPaths?: string[];
  /**
   * Routes that take files: a path pattern (under the function's prefix) and the larger body
   * limit that applies to it instead of `bodyLimitBytes`.
   */
  largeBodies?: Array<{ path: RegExp; bytes: number }>;
}

const ALLOWED_HEADERS = [
  'authorization',
  'apikey',
  'content-type',
  'x-client-info',
  'x-request-id',
];
const EXPOSED_HEADERS = ['x-request-id', 'retry-after', 'ratelimit', 'ratelimit-policy'];

/**
 * Builds a function's Hono app with the one middleware stack every function shares:
 * request id → JSON logs → secure headers → CORS → request line (method, path, query) →
 * body limit → JSON body checks → services → authentication → routes,
 * with one error shape for everything that goes wrong. Serves `/health`, `/openapi.json`
 * and `/docs`; the caller registers its own routes on the returned app.
 *
 * @example
 * const app = createApp({ name: 'api', title: 'API', description: '…', ...config, log });
 * registerProjects(app);
 * Deno.serve(app.fetch);
 */
export function createApp(opts: AppOptions): App {
  if (!/^[a-z][a-z0-9-]*$/.test(opts.name)) throw new Error(`Invalid function name: ${opts.name}`);
  const log = opts.log.child({ fn: opts.name });
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, result.target);
    },
  }).basePath(`/${opts.name}`);

  app.use(requestIds());
  app.use(requestLogger(log));
  app.use(secureHeaders({ crossOriginResourcePolicy: 'cross-origin' }));
  app.use(
    corsHeaders({
      origins: opts.corsOrigins,
      allowHeaders: ALLOWED_HEADERS,
      exposeHeaders: EXPOSED_HEADERS,
      maxAge: 600,
    }),
  );
  app.use(requestLine());
  const limitOf = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: (c) =>
        problemResponse(
          c,
          new AppError('payload_too_large', {
            detail: `The request body exceeds ${maxSize} bytes`,
          }),
        ),
    });
  const defaultLimit = limitOf(opts.bodyLimitBytes);
  const prefix = `/${opts.name}`;
  const large = (opts.largeBodies ?? []).map((l) => ({ path: l.path, limit: limitOf(l.bytes) }));
  app.use((c, next) => {
    const path = c.req.path.slice(prefix.length);
    const hit = large.find((l) => l.path.test(path));
    return (hit ? hit.limit : defaultLimit)(c, next);
  });
  app.use(jsonBody({ raw: opts.rawBodyPaths?.map((p) => `/${opts.name}${p}`) }));
  app.use(async (c, next) => {
    c.set('services', opts.services);
    c.set('principal', ANONYMOUS);
    await next();
  });
  app.use(authentication(opts.services.authenticator));
  app.onError(errorHandler(log, opts.name));
  app.notFound(notFoundHandler);

  registerHealth(app, { name: opts.name, version: opts.version ?? '0.1.0' });
  registerDocs(app, opts);
  return app;
}
