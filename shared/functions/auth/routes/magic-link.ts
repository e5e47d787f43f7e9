import { createRoute, z } from '@hono/zod-openapi';
import { clientIp } from '../../../http/client-ip.ts';
import type { App } from '../../../http/context.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { limitAttempt } from '../../../identity/limit-attempt.ts';
import { ACCEPTED_MESSAGE, settleMailRequest } from '../support/mail-request.ts';
import { AcceptedSchema, Email, RedirectTo } from '../support/schemas.ts';

const MagicLinkBody = z
  .object({ email: Email, redirect_to: RedirectTo })
  .openapi('MagicLinkRequest', {
    example: { email: 'ada@example.com', redirect_to: 'https://app.example.com/welcome' },
  });

const route = createRoute({
  method: 'post',
  path: '/login/magic-link',
  tags: ['auth'],
  summary: 'Mail a sign-in link',
  description:
    'Mails a one-time sign-in link to an existing account; no account is created. Known and ' +
    'unknown addresses get the same 202. The link lands on `redirect_to` (an allowed Auth ' +
    'redirect URL) with the session in the URL fragment; an unconfirmed account gets its ' +
    'sign-up confirmation instead, which signs in just the same.',
  request: { body: { required: true, content: { 'application/json': { schema: MagicLinkBody } } } },
  responses: {
    202: { description: 'Accepted', content: { 'application/json': { schema: AcceptedSchema } } },
    ...problemResponses(422, 429, 502),
  },
});

export function registerMagicLink(app: App): void {
  app.openapi(route, async (c) => {
    const { email, redirect_to } = c.req.valid('json');
    await limitAttempt(c, 'magic_link', email);
    const { error } = await c.var.services.authClient({ ip: clientIp(c) }).auth.signInWithOtp({
      email,
      // Creating accounts here would make this a second, unchecked sign-up door.
      options: { shouldCreateUser: false, emailRedirectTo: redirect_to },
    });
    settleMailRequest(c, 'magic_link', error);
    await audit(c, 'auth.magic_link.requested', { targetType: 'account', targetId: email });
    return c.json({ message: ACCEPTED_MESSAGE }, 202);
  });
}
