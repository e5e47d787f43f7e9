import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../../errors.ts';
import { clientIp } from '../../../http/client-ip.ts';
import type { App } from '../../../http/context.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { limitAttempt } from '../../../identity/limit-attempt.ts';
import { fromAuthError } from '../support/gotrue-errors.ts';
import { Email, Password, RedirectTo, Username } from '../support/schemas.ts';
import { SessionSchema, toSession, toUserSummary, UserSummarySchema } from '../support/session.ts';

const Name = z.string().trim().min(1).max(100);

const RegisterBody = z
  .object({
    email: Email,
    password: Password,
    username: Username.optional(),
    first_name: Name.optional().openapi({ example: 'Ada' }),
    last_name: Name.optional().openapi({ example: 'Lovelace' }),
    redirect_to: RedirectTo,
  })
  .openapi('RegisterRequest');

const RegisterResponse = z
  .object({
    user: UserSummarySchema,
    session: SessionSchema.nullable(),
    confirmation_required: z.boolean(),
  })
  .openapi('RegisterResponse');

const route = createRoute({
  method: 'post',
  path: '/register',
  tags: ['auth'],
  summary: 'Create an account',
  description:
    'With email confirmation on, no session is returned and a confirmation mail is sent; ' +
    'registering an address that already exists then looks the same, so it reveals nothing.',
  request: { body: { required: true, content: { 'application/json': { schema: RegisterBody } } } },
  responses: {
    201: {
      description: 'Registered',
      content: { 'application/json': { schema: RegisterResponse } },
    },
    ...problemResponses(403, 409, 422, 429),
  },
});

export function registerRegister(app: App): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    await limitAttempt(c, 'register', body.email);
    const { data, error } = await c.var.services.authClient({ ip: clientIp(c) }).auth.signUp({
      email: body.email,
      password: body.password,
      options: {
        emailRedirectTo: body.redirect_to,
        data: { username: body.username, first_name: body.first_name, last_name: body.last_name },
      },
    });
    if (error || !data.user) throw error ? fromAuthError(error) : new AppError('bad_gateway');
    await audit(c, 'auth.register', {
      actorId: data.user.id,
      targetType: 'user',
      targetId: data.user.id,
    });
    // Without a session the address may already have belonged to someone: never echo when
    // it was confirmed or last used, whatever Auth sent back, so new and existing look alike.
    const user = toUserSummary(data.user);
    return c.json(
      {
        user: data.session ? user : { ...user, email_confirmed_at: null, last_sign_in_at: null },
        session: data.session ? toSession(data.session) : null,
        confirmation_required: !data.session,
      },
      201,
    );
  });
}
