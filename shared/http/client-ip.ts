import type { Context } from 'hono';

/**
 * The end user's IP as the platform saw it. Supabase's edge appends the client address to
 * `X-Forwarded-For`, so the last entry is the one a client cannot forge; earlier entries
 * are whatever the client sent.
 */
export function clientIp(c: Context): string {
  const forwarded = c.req.header('x-forwarded-for');
  const last = forwarded?.split(',').at(-1)?.trim();
  return last && /^[0-9a-fA-F:.]{3,45}$/.test(last) ? last : 'unknown';
}
