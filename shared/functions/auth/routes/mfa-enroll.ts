import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../../errors.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { userClient } from '../support/clients.ts';
import { fromAuthError } from '../support/gotrue-errors.ts';

const MfaEnrollBody = z
  .object({
    friendly_name: z.string().trim().min(1).max(100).optional().openapi({
      description: 'A name to tell factors apart; unique per user',
      example: 'Phone',
    }),
  })
  .openapi('MfaEnrollRequest');

const MfaEnrollResponse = z
  .object({
    id: z.uuid(),
    type: z.literal('totp'),
    friendly_name: z.string().nullable(),
    totp: z.object({
      qr_code: z.string().openapi({
        description: 'An SVG data URL of `uri` (percent-encoded, usable as an image source)',
      }),
      secret: z.string().openapi({ description: 'Shown once: the app never sees it again' }),
      uri: z.string().openapi({ example: 'otpauth://totp/app.example.com:ada@example.com?…' }),
    }),
  })
  .openapi('MfaEnrollment');

const route = createRoute({
  method: 'post',
  path: '/mfa/enroll',
  tags: ['mfa'],
  summary: 'Enrol a TOTP factor',
  description:
    'Creates an unverified TOTP factor and returns its secret once. It becomes active after ' +
    'a challenge is verified with it; unverified factors expire. With a verified factor ' +
    'already enrolled, this needs an aal2 session (403 `insufficient_aal`).',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: {
    body: { required: false, content: { 'application/json': { schema: MfaEnrollBody } } },
  },
  responses: {
    201: {
      description: 'Enrolled',
      content: { 'application/json': { schema: MfaEnrollResponse } },
    },
    ...problemResponses(401, 403, 409, 422, 502),
  },
});

export function registerMfaEnroll(app: App): void {
  app.openapi(route, async (c) => {
    const friendlyName = c.req.valid('json')?.friendly_name;
    const { data, error } = await userClient(c).auth.mfa.enroll({
      factorType: 'totp',
      friendlyName,
    });
    if (error) throw fromAuthError(error);
    if (data.type !== 'totp') throw new AppError('bad_gateway');
    await audit(c, 'auth.mfa.enrolled', { targetType: 'mfa_factor', targetId: data.id });
    // The response carries the secret: no cache may keep it.
    c.header('cache-control', 'no-store');
    return c.json(
      {
        id: data.id,
        type: 'totp' as const,
        friendly_name: data.friendly_name || null,
        totp: {
          qr_code: svgDataUrl(data.totp.qr_code),
          secret: data.totp.secret,
          uri: data.totp.uri,
        },
      },
      201,
    );
  });
}

/**
 * Auth hands the QR code as `data:image/svg+xml;utf-8,<svg…>` with the markup unencoded; a
 * browser cuts such a URL at its first `#` (a colour) and shows a broken image. Percent-encoded
 * (RFC 2397), it works as an `<img src>` as it is.
 */
function svgDataUrl(qr: string): string {
  const comma = qr.indexOf(',');
  if (!qr.startsWith('data:image/svg+xml') || comma < 0) return qr;
  const svg = qr.slice(comma + 1);
  // Already encoded (no markup left): leave it.
  if (!svg.includes('<')) return qr;
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
