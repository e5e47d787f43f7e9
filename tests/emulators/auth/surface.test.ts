import { describe, expect, it } from 'vitest';
import { DEMO_ANON_KEY, DEMO_SERVICE_ROLE_KEY } from '../../../scripts/local/keys.ts';
import { SUPABASE_URL, useAuthEmulator } from '../../helpers/auth-emulator.ts';
import { PASSWORD } from '../../helpers/people.ts';

// Every route of GoTrue's API answers; features this emulator leaves off answer exactly as
// GoTrue does with them disabled (config.toml: no anonymous sign-ins, no SAML, no phone).
const auth = useAuthEmulator({ GOTRUE_MAILER_AUTOCONFIRM: 'true' });

/** A raw request as auth-js sends it (API version 2024-01-01), with the anon key. */
async function call(
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; key?: string } = {},
) {
  const res = await fetch(`${SUPABASE_URL}/auth/v1${path}`, {
    method,
    headers: {
      apikey: opts.key ?? DEMO_ANON_KEY,
      'content-type': 'application/json',
      'x-supabase-api-version': '2024-01-01',
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

async function userToken() {
  const { data, error } = await auth.client().auth.signUp({
    email: `surface-${Date.now()}-${Math.random()}@example.com`,
    password: PASSWORD,
  });
  expect(error).toBeNull();
  return data.session!.access_token;
}

describe('features that are off answer with GoTrue’s codes', () => {
  it('anonymous sign-ins', async () => {
    const { error } = await auth.client().auth.signInAnonymously();
    expect(error).toMatchObject({
      status: 422,
      code: 'anonymous_provider_disabled',
      message: 'Anonymous sign-ins are disabled',
    });
  });

  it('SAML single sign-on', async () => {
    const { error } = await auth.client().auth.signInWithSSO({ domain: 'example.com' });
    expect(error).toMatchObject({ status: 404, code: 'saml_provider_disabled' });
    for (const [method, path] of [
      ['GET', '/sso/saml/metadata'],
      ['POST', '/sso/saml/acs'],
    ] as const) {
      expect(await call(method, path)).toMatchObject({
        status: 404,
        body: { code: 'saml_provider_disabled', message: 'SAML 2.0 is disabled' },
      });
    }
  });

  it('ID-token and web3 sign-in, and unknown grants', async () => {
    const google = await auth
      .client()
      .auth.signInWithIdToken({ provider: 'google', token: 'x.y.z' });
    expect(google.error).toMatchObject({
      status: 400,
      code: 'provider_disabled',
      message: 'Provider (issuer "https://accounts.google.com") is not enabled',
    });
    const apple = await call('POST', '/token?grant_type=id_token', {
      body: { provider: 'apple', id_token: 'not-a-jwt' },
    });
    expect(apple.body).toEqual({
      code: 'validation_failed',
      message: 'Unable to detect issuer in ID token for Apple provider',
    });
    expect(await call('POST', '/token?grant_type=id_token', { body: {} })).toMatchObject({
      status: 400,
      body: { error: 'invalid request', error_description: 'id_token required' },
    });
    expect(
      await call('POST', '/token?grant_type=web3', { body: { chain: 'solana' } }),
    ).toMatchObject({
      status: 422,
      body: { code: 'web3_provider_disabled', message: 'Web3 provider is disabled' },
    });
    expect(await call('POST', '/token?grant_type=magic', { body: {} })).toMatchObject({
      status: 400,
      body: { code: 'invalid_credentials', message: 'unsupported_grant_type' },
    });
  });

  it('manual identity linking, after the user is known', async () => {
    expect((await call('GET', '/user/identities/authorize?provider=github')).status).toBe(401);
    const token = await userToken();
    const linked = await call('GET', '/user/identities/authorize?provider=github', { token });
    expect(linked).toMatchObject({
      status: 404,
      body: { code: 'manual_linking_disabled', message: 'Manual linking is disabled' },
    });
    const removed = await call('DELETE', `/user/identities/${crypto.randomUUID()}`, { token });
    expect(removed.body).toEqual({
      code: 'manual_linking_disabled',
      message: 'Manual linking is disabled',
    });
  });

  it('phone sign-up, sign-in and OTP, and phone numbers in the wrong format', async () => {
    const client = auth.client();
    expect(
      (await client.auth.signUp({ phone: '+15555550100', password: PASSWORD })).error,
    ).toMatchObject({
      status: 400,
      code: 'phone_provider_disabled',
      message: 'Phone signups are disabled',
    });
    expect(
      (await client.auth.signInWithPassword({ phone: '+15555550100', password: PASSWORD })).error,
    ).toMatchObject({ status: 422, code: 'phone_provider_disabled' });
    expect((await client.auth.signInWithOtp({ phone: '+15555550100' })).error).toMatchObject({
      status: 400,
      code: 'phone_provider_disabled',
    });
    const token = await userToken();
    expect(await call('PUT', '/user', { token, body: { phone: '12-34' } })).toMatchObject({
      status: 400,
      body: { code: 'validation_failed', message: 'Invalid phone number format (E.164 required)' },
    });
    const admin = auth.admin().auth.admin;
    expect(
      (await admin.createUser({ email: `p-${Date.now()}@example.com`, phone: 'abc' })).error,
    ).toMatchObject({ status: 400, code: 'validation_failed' });
  });

  it('passkeys, custom providers, SCIM and the OAuth server’s sign-in endpoints', async () => {
    const cases: Array<[string, string, string, string, string?]> = [
      ['POST', '/passkeys/authentication/options', 'passkey_disabled', 'Passkeys are disabled'],
      ['GET', '/passkeys', 'passkey_disabled', 'Passkeys are disabled'],
      ['GET', '/scim/v2/Users', 'feature_disabled', 'SCIM server is disabled'],
      ['POST', '/oauth/token', 'feature_disabled', 'OAuth server is disabled'],
      ['GET', '/oauth/authorize', 'feature_disabled', 'OAuth server is disabled'],
      ['POST', '/oauth/clients/register', 'feature_disabled', 'OAuth server is disabled'],
      [
        'GET',
        '/.well-known/oauth-authorization-server',
        'feature_disabled',
        'OAuth server is disabled',
      ],
      [
        'GET',
        '/admin/custom-providers',
        'feature_disabled',
        'Custom OAuth providers are disabled',
        DEMO_SERVICE_ROLE_KEY,
      ],
    ];
    for (const [method, path, code, message, bearer] of cases) {
      expect(await call(method, path, { token: bearer })).toMatchObject({
        status: 404,
        body: { code, message },
      });
    }
    const token = await userToken();
    expect(await call('GET', '/user/oauth/grants', { token })).toMatchObject({
      status: 404,
      body: { code: 'feature_disabled' },
    });
  });

  it('the OAuth client admin API while the OAuth server is off', async () => {
    const { error } = await auth.admin().auth.admin.oauth.listClients();
    expect(error).toMatchObject({ status: 404, code: 'feature_disabled' });
    // The admin check comes first, as in GoTrue's router.
    expect(await call('GET', '/admin/oauth/clients', { token: await userToken() })).toMatchObject({
      status: 403,
      body: { code: 'not_admin' },
    });
  });
});

describe('routes that answer without the feature', () => {
  const service = { token: DEMO_SERVICE_ROLE_KEY };

  it('SSO providers (admin): none listed, none found, creation checked then refused', async () => {
    expect(await call('GET', '/admin/sso/providers', service)).toMatchObject({
      status: 200,
      body: { items: [] },
    });
    expect(await call('GET', `/admin/sso/providers/${crypto.randomUUID()}`, service)).toMatchObject(
      {
        status: 404,
        body: { code: 'sso_provider_not_found', message: 'SSO Identity Provider not found' },
      },
    );
    expect(
      await call('POST', '/admin/sso/providers', { ...service, body: { type: 'oidc' } }),
    ).toMatchObject({
      status: 400,
      body: { code: 'validation_failed', message: "Only 'saml' supported for SSO provider type" },
    });
    expect(
      await call('POST', '/admin/sso/providers', {
        ...service,
        body: { type: 'saml', metadata_url: 'https://idp.example.com/metadata' },
      }),
    ).toMatchObject({ status: 404, body: { code: 'saml_provider_disabled' } });
  });

  it('audit log, passkeys per user, settings and discovery', async () => {
    const audit = await call('GET', '/admin/audit?query=action:login', service);
    expect(audit.status).toBe(200);
    expect(audit.body).toEqual([]);
    expect(audit.headers.get('x-total-count')).toBe('0');
    expect(await call('GET', '/admin/audit?query=nope', service)).toMatchObject({
      status: 400,
      body: { message: 'Invalid query scope: nope' },
    });
    const { data } = await auth
      .admin()
      .auth.admin.createUser({ email: `k-${Date.now()}@example.com` });
    expect(await call('GET', `/admin/users/${data.user!.id}/passkeys`, service)).toMatchObject({
      status: 200,
      body: [],
    });
    const settings = await call('GET', '/settings');
    expect(settings.body).toMatchObject({
      external: { anonymous_users: false, email: true, phone: false, google: false },
      saml_enabled: false,
      passkeys_enabled: false,
    });
    const discovery = await call('GET', '/.well-known/openid-configuration');
    expect(discovery.body).toMatchObject({
      issuer: `${SUPABASE_URL}/auth/v1`,
      jwks_uri: `${SUPABASE_URL}/auth/v1/.well-known/jwks.json`,
    });
  });

  it('answers a path GoTrue does not serve with its plain 404', async () => {
    const res = await fetch(`${SUPABASE_URL}/auth/v1/nowhere`, {
      headers: { apikey: DEMO_ANON_KEY },
    });
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('404 page not found');
  });
});
