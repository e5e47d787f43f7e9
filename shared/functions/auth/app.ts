import { createApp } from '../../http/app.ts';
import type { App } from '../../http/context.ts';
import { seedInitialAdmin } from '../../identity/initial-admin.ts';
import { baseOptions, type FunctionDeps } from '../../runtime/app-from-env.ts';
import { registerJwks } from './routes/jwks.ts';
import { registerLogin } from './routes/login.ts';
import { registerLogout } from './routes/logout.ts';
import { registerMagicLink } from './routes/magic-link.ts';
import { registerMfaChallenge } from './routes/mfa-challenge.ts';
import { registerMfaEnroll } from './routes/mfa-enroll.ts';
import { registerMfaFactorDelete } from './routes/mfa-factor-delete.ts';
import { registerMfaFactors } from './routes/mfa-factors.ts';
import { registerMfaVerify } from './routes/mfa-verify.ts';
import { registerOAuthCallback } from './routes/oauth-callback.ts';
import { registerOAuthStart } from './routes/oauth-start.ts';
import { registerPasswordReset } from './routes/password-reset.ts';
import { registerPasswordUpdate } from './routes/password-update.ts';
import { registerRefresh } from './routes/refresh.ts';
import { registerRegister } from './routes/register.ts';
import { registerToken } from './routes/token.ts';
import { registerTokenIntrospect } from './routes/token-introspect.ts';
import { registerTokenRevoke } from './routes/token-revoke.ts';
import { registerVerifyResend } from './routes/verify-resend.ts';

/** The `auth` function: sign-up, sign-in and sessions over Supabase Auth; app-client tokens. */
export function buildAuthApp(deps: FunctionDeps): App {
  const app = createApp({
    name: 'auth',
    title: 'Auth',
    description:
      'Registration, sign-in, sessions, password and MFA flows over Supabase Auth, and ' +
      'client-credentials tokens for app clients.',
    ...baseOptions(deps),
  });
  const { INITIAL_ADMIN_EMAIL: email, INITIAL_ADMIN_PASSWORD: password } = deps.config;
  if (email && password) {
    // In the background: a cold start must not wait for it, and a failure must not stop sign-in.
    const seeding = seedInitialAdmin(deps.services.db, deps.services.adminClient(), {
      email,
      password,
    }).then(
      (outcome) => deps.log.info('initial admin', { outcome }),
      (err: unknown) => deps.log.error('initial admin failed', { err }),
    );
    deps.background?.(seeding);
  }
  registerRegister(app);
  registerLogin(app);
  registerRefresh(app);
  registerLogout(app);
  registerMagicLink(app);
  registerPasswordReset(app);
  registerPasswordUpdate(app);
  registerVerifyResend(app);
  // The fixed callback path first, so `/oauth/{provider}` never takes it for a provider.
  registerOAuthCallback(app);
  registerOAuthStart(app);
  registerMfaEnroll(app);
  registerMfaChallenge(app);
  registerMfaVerify(app);
  registerMfaFactors(app);
  registerMfaFactorDelete(app);
  // App clients: the client-credentials grant, revocation, introspection and the keys.
  registerToken(app);
  registerTokenRevoke(app);
  registerTokenIntrospect(app);
  registerJwks(app);
  return app;
}
