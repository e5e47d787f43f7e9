import { createRoute, z } from '@hono/zod-openapi';
import { clientIp } from '../../../http/client-ip.ts';
import type { App } from '../../../http/context.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { limitAttempt } from '../../../identity/limit-attempt.ts';
import { ACCEPTED_MESSAGE, settleMailRequest } from '../support/mail-request.ts';
import { AcceptedSchema, Email, RedirectTo } from '../support/schemas.ts';

const PasswordResetBody = z
  .object({ email: Email, redirect_to: RedirectTo })
  .openapi('PasswordResetRequest', {
    example: { email: 'ada@example.com', redirect_to: 'https://app.example.com/reset' },
  });

const route = createRoute({
  method: 'post',
  path: '/password/reset',
  tags: ['auth'],
  summary: 'Mail a password reset link',
  description:
    'Mails a recovery link to the account with this address, if there is one; known and ' +
    'unknown addresses get the same 202. The link lands on `redirect_to` with a short-lived ' +
    'session in the URL fragment; send its access token to `POST /password/update` with the ' +
    'new password (no current password needed for a few minutes).',
  request: {
    body: { required: true, content: { 'application/json': { schema: PasswordResetBody } } },
  },
  responses: {
    202: { description: 'Accepted', content: { 'application/json': { schema: AcceptedSchema } } },
    ...problemResponses(422, 429, 502),
  },
});

export function registerPasswordReset(app: App): void {
  app.openapi(route, async (c) => {
    const { email, redirect_to } = c.req.valid('json');
    await limitAttempt(c, 'password_reset', email);
    const { error } = await c.var.services
      .authClient({ ip: clientIp(c) })
      .auth.resetPasswordForEmail(email, {
        redirectTo: redirect_to,
      });
    settleMailRequest(c, 'password_reset', error);
    await audit(c, 'auth.password_reset.requested', { targetType: 'account', targetId: email });
    return c.json({ message: ACCEPTED_MESSAGE }, 202);
  });
}
