import { createRoute, z } from '@hono/zod-openapi';
import { clientIp } from '../../../http/client-ip.ts';
import type { App } from '../../../http/context.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { limitAttempt } from '../../../identity/limit-attempt.ts';
import { ACCEPTED_MESSAGE, settleMailRequest } from '../support/mail-request.ts';
import { AcceptedSchema, Email, RedirectTo } from '../support/schemas.ts';

const VerifyResendBody = z
  .object({
    email: Email,
    type: z.enum(['signup', 'email_change']).openapi({
      description:
        '`signup`: the sign-up confirmation again; `email_change`: both mails of a pending ' +
        'email change again (to the new and the current address)',
      example: 'signup',
    }),
    redirect_to: RedirectTo,
  })
  .openapi('VerifyResendRequest');

const route = createRoute({
  method: 'post',
  path: '/verify/resend',
  tags: ['auth'],
  summary: 'Send a verification mail again',
  description:
    'Sends the sign-up confirmation, or the email-change confirmations, again. Unknown, ' +
    'already confirmed and unchanged addresses get no mail and the same 202.',
  request: {
    body: { required: true, content: { 'application/json': { schema: VerifyResendBody } } },
  },
  responses: {
    202: { description: 'Accepted', content: { 'application/json': { schema: AcceptedSchema } } },
    ...problemResponses(422, 429, 502),
  },
});

export function registerVerifyResend(app: App): void {
  app.openapi(route, async (c) => {
    const { email, type, redirect_to } = c.req.valid('json');
    await limitAttempt(c, 'verify_resend', email);
    const { error } = await c.var.services.authClient({ ip: clientIp(c) }).auth.resend({
      type,
      email,
      options: { emailRedirectTo: redirect_to },
    });
    settleMailRequest(c, 'verify_resend', error);
    await audit(c, 'auth.verification.resent', {
      targetType: 'account',
      targetId: email,
      metadata: { type },
    });
    return c.json({ message: ACCEPTED_MESSAGE }, 202);
  });
}
