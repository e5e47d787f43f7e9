import type { Hono } from 'hono';
import { loadUser } from '../admin/common.ts';
import { type EmuContext, type EmuEnv, requireAdmin, requireUser } from '../context.ts';
import { type AuthError, notFound } from '../errors.ts';

/** GoTrue's answers when a feature is off (its `require…Enabled` middleware). */
const OFF = {
  saml: () => notFound('saml_provider_disabled', 'SAML 2.0 is disabled'),
  passkeys: () => notFound('passkey_disabled', 'Passkeys are disabled'),
  manualLinking: () => notFound('manual_linking_disabled', 'Manual linking is disabled'),
  oauthServer: () => notFound('feature_disabled', 'OAuth server is disabled'),
  customProviders: () => notFound('feature_disabled', 'Custom OAuth providers are disabled'),
  scim: () => notFound('feature_disabled', 'SCIM server is disabled'),
} satisfies Record<string, () => AuthError>;

type Check = (c: EmuContext) => Promise<unknown>;

/** A route that runs GoTrue's checks ahead of the feature's, then answers it is off. */
const off =
  (refusal: () => AuthError, ...before: Check[]) =>
  async (c: EmuContext): Promise<Response> => {
    for (const check of before) await check(c);
    throw refusal();
  };

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * The parts of GoTrue's API this emulator does not offer, answered as GoTrue answers with
 * the feature disabled, and behind the same checks (a signed-in user, an admin) that come
 * first in GoTrue's router: SAML SSO, passkeys, manual identity linking, the OAuth 2.1
 * server's user-facing endpoints, custom OAuth providers and SCIM.
 */
export function registerDisabled(app: Hono<EmuEnv>): void {
  app.post('/sso', off(OFF.saml));
  app.get('/sso/saml/metadata', off(OFF.saml));
  app.post('/sso/saml/acs', off(OFF.saml));

  for (const path of [
    '/passkeys',
    '/passkeys/authentication/options',
    '/passkeys/authentication/verify',
    '/passkeys/registration/options',
    '/passkeys/registration/verify',
    '/passkeys/:id',
  ]) {
    app.on(METHODS, path, off(OFF.passkeys));
  }

  app.get('/user/identities/authorize', off(OFF.manualLinking, requireUser));
  app.delete('/user/identities/:id', off(OFF.manualLinking, requireUser));
  app.on(['GET', 'DELETE'], '/user/oauth/grants', off(OFF.oauthServer, requireUser));

  // The OAuth 2.1 server's admin client API is emulated (oauth-clients.ts); signing in
  // through it as a provider is not, so these answer as a server that is off.
  app.post('/oauth/token', off(OFF.oauthServer));
  app.get('/oauth/userinfo', off(OFF.oauthServer));
  app.get('/oauth/authorize', off(OFF.oauthServer));
  app.get('/oauth/authorizations/:id', off(OFF.oauthServer));
  app.post('/oauth/authorizations/:id/consent', off(OFF.oauthServer));

  app.on(['GET', 'POST'], '/admin/custom-providers', off(OFF.customProviders, requireAdmin));
  app.on(
    ['GET', 'PUT', 'DELETE'],
    '/admin/custom-providers/:identifier',
    off(OFF.customProviders, requireAdmin),
  );

  app.all('/scim/v2', off(OFF.scim));
  app.all('/scim/v2/*', off(OFF.scim));

  // Passkeys per user (admin): none can exist here.
  app.get('/admin/users/:id/passkeys', async (c) => {
    await requireAdmin(c);
    await loadUser(c.var.deps.db, c.req.param('id'));
    return c.json([]);
  });
  app.delete('/admin/users/:id/passkeys/:passkeyId', async (c) => {
    await requireAdmin(c);
    await loadUser(c.var.deps.db, c.req.param('id'));
    throw notFound('validation_failed', 'Passkey not found');
  });
}

export { OFF as disabledFeature };
