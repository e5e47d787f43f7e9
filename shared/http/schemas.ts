import { z } from '@hono/zod-openapi';
import { ErrorCodes } from '../errors.ts';

/** The problem+json body every error response uses (RFC 9457 plus `code` and `request_id`). */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'urn:problem:validation_failed' }),
    title: z.string().openapi({ example: 'Validation failed' }),
    status: z.number().int().openapi({ example: 422 }),
    detail: z.string().optional(),
    code: z.enum(Object.keys(ErrorCodes) as [keyof typeof ErrorCodes]),
    request_id: z.string().openapi({ example: 'b0f5d5b2-6c1e-4c4e-9f0a-0b8f6e2f5a41' }),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .openapi({ example: [{ path: 'body.email', message: 'Invalid email address' }] }),
  })
  .openapi('Problem');

/** Response entries for the errors a route can return, for `createRoute({ responses })`. */
export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: Object.values(ErrorCodes).find((e) => e.status === status)?.title ?? 'Error',
        content: { 'application/problem+json': { schema: ProblemSchema } },
      },
    ]),
  );
}

/**
 * Who may call a route, as its OpenAPI `security` states it (and the authorization matrix
 * tests read it): users only, or users and app clients. Pair `USERS` with `requireUser()` and
 * `USERS_AND_APPS` with `requireCaller()`.
 */
export const USERS: Array<Record<string, string[]>> = [{ bearerAuth: [] }];
export const USERS_AND_APPS: Array<Record<string, string[]>> = [
  { bearerAuth: [] },
  { appClient: [] },
];

/**
 * An ISO 8601 instant with an offset (`2026-01-01T00:00:00Z`), as query filters take it.
 * ISO's year 0000 has no PostgreSQL form (its calendar goes from 1 BC to AD 1), so it is
 * refused here with the field path rather than by the database.
 */
export function instantSchema() {
  return z.iso
    .datetime({ offset: true })
    .refine((s) => !s.startsWith('0000-'), 'The year must be 0001 or later');
}
