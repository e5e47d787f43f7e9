import { z } from '@hono/zod-openapi';

/** The OAuth error body (RFC 6749 §5.2), for the token endpoints' OpenAPI entries. */
export const OAuthErrorSchema = z
  .object({
    error: z.string().openapi({ example: 'invalid_client' }),
    error_description: z.string().optional(),
  })
  .openapi('OAuthError');

/** Response entries for OAuth errors, by status. */
export function oauthErrors(entries: Record<number, string>) {
  return Object.fromEntries(
    Object.entries(entries).map(([status, description]) => [
      status,
      { description, content: { 'application/json': { schema: OAuthErrorSchema } } },
    ]),
  );
}

/** A form body in an OpenAPI entry. */
export function formBody<T extends z.ZodType>(schema: T) {
  return {
    required: true,
    content: { 'application/x-www-form-urlencoded': { schema } },
  };
}
