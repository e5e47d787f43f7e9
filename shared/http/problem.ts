import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { fromPgError } from '../db/errors.ts';
import { AppError, codeForStatus, PROBLEM_CONTENT_TYPE, toProblem } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { AppEnv } from './context.ts';

/** Renders an AppError as problem+json, carrying the request id in body and header. */
export function problemResponse(c: Context<AppEnv>, error: AppError): Response {
  const requestId = c.get('requestId') ?? 'unknown';
  const headers = new Headers(error.headers);
  headers.set('content-type', PROBLEM_CONTENT_TYPE);
  return new Response(JSON.stringify(toProblem(error, requestId)), {
    status: error.status,
    headers,
  });
}

/** A zod failure on one request part (`json` → `body`), with dotted field paths. */
export function validationError(error: ZodError, target: string): AppError {
  const part = target === 'json' || target === 'form' ? 'body' : target;
  return new AppError('validation_failed', {
    detail: 'The request does not match the schema',
    errors: error.issues.map((issue) => ({
      path: [part, ...issue.path.map(String)].join('.'),
      message: issue.message,
    })),
  });
}

/**
 * The one error handler. Known errors keep their code; framework errors keep their status;
 * database errors are mapped by SQLSTATE and constraint (`db/errors.ts`); anything else is a
 * 500 whose cause, stack and SQLSTATE go to the log and never to the client.
 */
export function errorHandler(fallbackLog: Logger, fn = 'unknown'): ErrorHandler<AppEnv> {
  return (err, c) => {
    const log = c.get('log') ?? fallbackLog;
    let error: AppError;
    if (err instanceof AppError) {
      error = err;
    } else if (err instanceof HTTPException) {
      error = new AppError(codeForStatus(err.status), { cause: err });
    } else {
      error = fromPgError(err) ?? new AppError('internal', { cause: err });
    }
    if (error.status >= 500) {
      const where = { method: c.req.method, path: c.req.path };
      log.error('request failed', { code: error.code, ...where, err: error.cause ?? err });
      // Only true faults: a 502/503 from a dependency is logged, not paged on.
      if (error.code === 'internal') {
        c.get('services')?.errors.report(error.cause ?? err, {
          tags: { request_id: c.get('requestId') ?? 'unknown', function: fn, code: error.code },
          extra: where,
        });
      }
    }
    return problemResponse(c, error);
  };
}

export const notFoundHandler: NotFoundHandler<AppEnv> = (c) =>
  problemResponse(
    c,
    new AppError('not_found', { detail: `No route for ${c.req.method} ${c.req.path}` }),
  );
