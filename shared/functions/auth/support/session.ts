import { z } from '@hono/zod-openapi';
import type { Session, User } from '@supabase/supabase-js';

export const UserSummarySchema = z
  .object({
    id: z.uuid(),
    email: z.string().nullable(),
    email_confirmed_at: z.string().nullable(),
    last_sign_in_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('UserSummary');

export const SessionSchema = z
  .object({
    access_token: z.string(),
    refresh_token: z.string(),
    token_type: z.literal('bearer'),
    expires_in: z.number().int(),
    expires_at: z.number().int(),
    user: UserSummarySchema,
  })
  .openapi('Session', {
    example: {
      access_token: 'eyJhbGciOiJFUzI1NiIsImtpZCI6Ii4uLiJ9…',
      refresh_token: 'Gq1xk2ZnY5QmJ',
      token_type: 'bearer',
      expires_in: 3600,
      expires_at: 1767225600,
      user: {
        id: '0b5b4b1e-3f0c-4a5e-9b1e-3f0c4a5e9b1e',
        email: 'ada@example.com',
        email_confirmed_at: '2026-01-01T00:00:00Z',
        last_sign_in_at: '2026-01-01T00:00:00Z',
        created_at: '2026-01-01T00:00:00Z',
      },
    },
  });

export type SessionBody = z.infer<typeof SessionSchema>;

export function toUserSummary(user: User): z.infer<typeof UserSummarySchema> {
  return {
    id: user.id,
    email: user.email ?? null,
    email_confirmed_at: user.email_confirmed_at ?? null,
    last_sign_in_at: user.last_sign_in_at ?? null,
    created_at: user.created_at,
  };
}

/** The session fields a client needs, and nothing of Auth's internals. */
export function toSession(session: Session): SessionBody {
  return {
    access_token: session.access_token,
    refresh_token: session.refresh_token,
    token_type: 'bearer',
    expires_in: session.expires_in,
    expires_at: session.expires_at ?? Math.floor(Date.now() / 1000) + session.expires_in,
    user: toUserSummary(session.user),
  };
}

/** The `session_id` claim of an access token, read without verifying (it was just issued). */
export function sessionIdOf(accessToken: string): string | undefined {
  try {
    const payload = JSON.parse(
      atob((accessToken.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/')),
    );
    return typeof payload.session_id === 'string' ? payload.session_id : undefined;
  } catch {
    return undefined;
  }
}
