import type { Hono } from 'hono';
import type { EmuContext, EmuEnv } from '../context.ts';
import { PROVIDER } from '../oauth-provider.ts';
import { disabledFeature } from './disabled.ts';

/** The external providers GoTrue's `/settings` lists; none is configured in the emulator. */
const PROVIDERS = [
  'apple',
  'azure',
  'bitbucket',
  'discord',
  'facebook',
  'snapchat',
  'figma',
  'fly',
  'github',
  'gitlab',
  'google',
  'keycloak',
  'kakao',
  'linkedin',
  'linkedin_oidc',
  'notion',
  'spotify',
  'slack',
  'slack_oidc',
  'workos',
  'twitch',
  'twitter',
  'zoom',
];

/** GoTrue's discovery document (OIDC and RFC 8414 share it). */
function openIdConfiguration(c: EmuContext) {
  const { externalUrl, oauthServer } = c.var.deps.settings;
  c.header('cache-control', 'public, max-age=600');
  return c.json({
    issuer: externalUrl,
    authorization_endpoint: `${externalUrl}/oauth/authorize`,
    token_endpoint: `${externalUrl}/oauth/token`,
    jwks_uri: `${externalUrl}/.well-known/jwks.json`,
    userinfo_endpoint: `${externalUrl}/oauth/userinfo`,
    ...(oauthServer.enabled && oauthServer.allowDynamicRegistration
      ? { registration_endpoint: `${externalUrl}/oauth/clients/register` }
      : {}),
    scopes_supported: ['openid', 'profile', 'email', 'phone', 'offline_access'],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256', 'HS256', 'ES256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    claims_supported: [
      'sub',
      'aud',
      'iss',
      'exp',
      'iat',
      'auth_time',
      'nonce',
      'email',
      'email_verified',
      'phone_number',
      'phone_number_verified',
      'name',
      'picture',
      'preferred_username',
      'updated_at',
    ],
    code_challenge_methods_supported: ['S256', 'plain'],
  });
}

/** `GET /health`, `GET /settings`, the JWKS and the discovery documents. */
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
    const external: Record<string, boolean> = {
      anonymous_users: settings.anonymousSignIns,
      ...Object.fromEntries(PROVIDERS.map((p) => [p, false])),
      email: true,
      phone: false,
      // The emulator's own provider, so the OAuth flow can run offline.
      [PROVIDER]: true,
    };
    return c.json({
      external,
      disable_signup: settings.disableSignup,
      mailer_autoconfirm: settings.autoconfirm,
      phone_autoconfirm: false,
      sms_provider: '',
      saml_enabled: false,
      saml_private_key_next_configured: false,
      passkeys_enabled: false,
    });
  });

  app.get('/.well-known/jwks.json', (c) => {
    c.header('cache-control', 'public, max-age=600');
    return c.json(c.var.deps.keys.jwks);
  });

  app.get('/.well-known/openid-configuration', openIdConfiguration);
  app.get('/.well-known/oauth-authorization-server', (c) => {
    if (!c.var.deps.settings.oauthServer.enabled) throw disabledFeature.oauthServer();
    return openIdConfiguration(c);
  });
}
