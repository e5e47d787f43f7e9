import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { fromPgError } from '../db/errors.ts';
import {
  AppError,
  codeForStatus,
  type FieldError,
  PROBLEM_CONTENT_TYPE,
  toProblem,
} from '../errors.ts';
import type { Logger } from '../log.ts';
import type { AppEnv } from './context.ts';
import { fieldPath } from './input/text.ts';

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

/** At most this many field errors, each message at most this long: errors never mirror input. */
const MAX_FIELD_ERRORS = 20;
const MAX_MESSAGE = 200;

const short = (text: string) =>
  text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;

/**
 * A zod failure on one request part (`json` → `body`), with dotted field paths. An unknown
 * field is named by its own path, cut short, rather than quoted whole in a message: a client
 * could otherwise send a megabyte of key and get it back.
 */
export function validationError(error: ZodError, target: string): AppError {
  const part = target === 'json' || target === 'form' ? 'body' : target;
  const errors: FieldError[] = error.issues.flatMap((issue) => {
    const at = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: fieldPath(part, [...at, key]),
        message: 'Unknown field',
      }));
    }
    return [{ path: fieldPath(part, at), message: short(issue.message) }];
  });
  return new AppError('validation_failed', {
    detail: 'The request does not match the schema',
    errors: errors.slice(0, MAX_FIELD_ERRORS),
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
    new AppError('not_found', { detail: short(`No route for ${c.req.method} ${c.req.path}`) }),
  );
