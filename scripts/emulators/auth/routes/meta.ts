import type { Hono } from 'hono';
import type { EmuEnv } from '../context.ts';
import { PROVIDER } from '../oauth-provider.ts';

/** `GET /health`, `GET /settings`, `GET /.well-known/jwks.json`. */
export function registerMeta(app: Hono<EmuEnv>): void {
  app.get('/health', (c) =>
    c.json({
      version: 'v2.170.0-emulated',
      name: 'GoTrue',
      description: 'GoTrue is a user registration and authentication API',
    }),
  );

  app.get('/settings', (c) => {
    const { settings } = c.var.deps;
    return c.json({
      external: { email: true, phone: false, anonymous_users: false, [PROVIDER]: true },
      disable_signup: settings.disableSignup,
      mailer_autoconfirm: settings.autoconfirm,
      phone_autoconfirm: false,
      sms_provider: '',
      saml_enabled: false,
    });
  });

  app.get('/.well-known/jwks.json', (c) => {
    c.header('cache-control', 'public, max-age=600');
    return c.json(c.var.deps.keys.jwks);
  });
}
