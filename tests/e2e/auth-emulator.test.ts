import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { totp } from '../../scripts/emulators/auth/mfa/totp.ts';
import { DEMO_ANON_KEY, DEMO_SERVICE_ROLE_KEY } from '../../scripts/local/keys.ts';
import { appClient, fragmentTokens, hop } from '../helpers/browser.ts';
import { ManualClock } from '../helpers/clock.ts';
import { PASSWORD } from '../helpers/people.ts';
import { useLocalStack } from '../helpers/stack.ts';

// Supabase Auth as an app meets it: supabase-js over real HTTP to `npm run dev`'s gateway,
// mail read from the stack's mailbox over HTTP, links followed as a browser would. The OAuth
// 2.1 server is switched on here so its client admin API can be used.
const h = useLocalStack({ GOTRUE_OAUTH_SERVER_ENABLED: 'true' });
// The emulator reads its time from its deps; this file moves it by hand.
const clock = new ManualClock();
beforeAll(() => {
  h.stack.auth.deps.clock = clock;
});
let n = 0;
const email = () => `e2e${++n}-${Date.now()}@example.com`;
const url = () => h.stack.gatewayUrl;

async function latestLink(to: string): Promise<string> {
  const [mail] = await h.mails(to);
  if (!mail?.Link) throw new Error(`no mail with a link for ${to}`);
  return mail.Link;
}

/** Signs up with confirmation on, confirms through the mailed link, returns a signed-in client. */
async function confirmedUser() {
  const address = email();
  const client = appClient(url());
  const signUp = await client.auth.signUp({ email: address, password: PASSWORD });
  expect(signUp.error).toBeNull();
  expect(signUp.data.session).toBeNull();
  const landing = await hop(await latestLink(address));
  expect(landing.status).toBe(303);
  const tokens = fragmentTokens(landing.location!);
  expect(tokens.type).toBe('signup');
  const { error } = await client.auth.setSession(tokens);
  expect(error).toBeNull();
  return { client, address };
}

describe('Supabase Auth through the local stack', () => {
  it('signs up with confirmation, confirms from the mailbox, signs in and reads the user', async () => {
    const { client, address } = await confirmedUser();
    const { data } = await client.auth.getUser();
    expect(data.user?.email).toBe(address);
    expect(data.user?.email_confirmed_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const again = appClient(url());
    expect(
      (await again.auth.signInWithPassword({ email: address, password: PASSWORD })).error,
    ).toBeNull();
  });

  it('issues tokens that verify against the JWKS; getClaims agrees', async () => {
    const { client } = await confirmedUser();
    const token = (await client.auth.getSession()).data.session!.access_token;
    const jwks = createRemoteJWKSet(new URL(`${url()}/auth/v1/.well-known/jwks.json`));
    const { payload } = await jwtVerify(token, jwks, {
      issuer: `${url()}/auth/v1`,
      audience: 'authenticated',
    });
    expect(payload.roles).toEqual(['user']);
    const { data, error } = await client.auth.getClaims();
    expect(error).toBeNull();
    expect(data?.claims.sub).toBe(payload.sub);
  });

  it('updates the user, refreshes, and ends the session when an old refresh token is reused', async () => {
    const { client } = await confirmedUser();
    expect(
      (await client.auth.updateUser({ data: { plan: 'pro' } })).data.user?.user_metadata.plan,
    ).toBe('pro');
    const first = (await client.auth.getSession()).data.session!.refresh_token;
    const refreshed = await client.auth.refreshSession();
    expect(refreshed.error).toBeNull();
    clock.advance(10_001);
    const reuse = await appClient(url()).auth.refreshSession({ refresh_token: first });
    expect(reuse.error).toMatchObject({ code: 'refresh_token_already_used' });
    const after = await appClient(url()).auth.getUser(refreshed.data.session!.access_token);
    expect(after.error?.name).toBe('AuthSessionMissingError');
  });

  it('signs out with each scope', async () => {
    const { client, address } = await confirmedUser();
    const other = appClient(url());
    await other.auth.signInWithPassword({ email: address, password: PASSWORD });
    const token = (c: typeof client) =>
      c.auth.getSession().then((s) => s.data.session!.access_token);
    const [mine, theirs] = [await token(client), await token(other)];
    expect((await client.auth.signOut({ scope: 'others' })).error).toBeNull();
    expect((await appClient(url()).auth.getUser(theirs)).error?.name).toBe(
      'AuthSessionMissingError',
    );
    expect((await appClient(url()).auth.getUser(mine)).error).toBeNull();
    expect((await client.auth.signOut({ scope: 'local' })).error).toBeNull();
    expect((await appClient(url()).auth.getUser(mine)).error?.name).toBe('AuthSessionMissingError');
  });

  it('resets a password through the mailed link', async () => {
    const { address } = await confirmedUser();
    const client = appClient(url());
    expect(
      (
        await client.auth.resetPasswordForEmail(address, {
          redirectTo: 'http://127.0.0.1:3000/reset',
        })
      ).error,
    ).toBeNull();
    const landing = await hop(await latestLink(address));
    const tokens = fragmentTokens(landing.location!);
    expect(tokens.type).toBe('recovery');
    await client.auth.setSession(tokens);
    expect((await client.auth.updateUser({ password: 'a-brand-new-password' })).error).toBeNull();
    const signIn = await appClient(url()).auth.signInWithPassword({
      email: address,
      password: 'a-brand-new-password',
    });
    expect(signIn.error).toBeNull();
  });

  it('signs in with a magic link', async () => {
    const { address } = await confirmedUser();
    const client = appClient(url());
    expect((await client.auth.signInWithOtp({ email: address })).error).toBeNull();
    const tokens = fragmentTokens((await hop(await latestLink(address))).location!);
    expect(tokens.type).toBe('magiclink');
    await client.auth.setSession(tokens);
    expect((await client.auth.getUser()).data.user?.email).toBe(address);
  });

  it('enrolls TOTP and reaches aal2', async () => {
    const { client } = await confirmedUser();
    const enrolled = await client.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'phone' });
    expect(enrolled.error).toBeNull();
    const factorId = enrolled.data!.id;
    const verified = await client.auth.mfa.challengeAndVerify({
      factorId,
      code: totp(enrolled.data!.totp.secret, clock.now() / 1000),
    });
    expect(verified.error).toBeNull();
    expect(decodeJwt(verified.data!.access_token).aal).toBe('aal2');
    const aal = await client.auth.mfa.getAuthenticatorAssuranceLevel();
    expect(aal.data?.currentLevel).toBe('aal2');
  });

  it('completes an OAuth PKCE round trip with the local provider', async () => {
    const client = appClient(url(), { pkce: true });
    const address = email();
    const { data } = await client.auth.signInWithOAuth({
      provider: 'local' as never,
      options: { redirectTo: 'http://127.0.0.1:3000/callback', skipBrowserRedirect: true },
    });
    const page = (await hop(data.url!)).location!;
    page.searchParams.set('login_hint', address);
    page.searchParams.set('auto', '1');
    const callback = (await hop(page)).location!;
    const back = (await hop(callback)).location!;
    const code = back.searchParams.get('code');
    expect(code).toMatch(/^[0-9a-f-]{36}$/);
    const session = await client.auth.exchangeCodeForSession(code!);
    expect(session.error).toBeNull();
    expect(session.data.user?.identities?.[0]?.provider).toBe('local');
    const [profile] = await h.db
      .sql`select username from public.profiles where id = ${session.data.user!.id}`;
    expect(profile?.username).toMatch(/^[a-z0-9_.]{3,30}$/);
  });

  it('lets the service role administer users', async () => {
    const admin = appClient(url(), { key: DEMO_SERVICE_ROLE_KEY }).auth.admin;
    const address = email();
    const created = await admin.createUser({
      email: address,
      password: PASSWORD,
      email_confirm: true,
    });
    expect(created.error).toBeNull();
    const id = created.data.user!.id;
    expect((await admin.getUserById(id)).data.user?.email).toBe(address);
    const list = await admin.listUsers({ page: 1, perPage: 50 });
    expect(list.data.users.map((u) => u.id)).toContain(id);
    expect(
      (await admin.updateUserById(id, { user_metadata: { team: 'ops' } })).data.user?.user_metadata
        .team,
    ).toBe('ops');
    expect((await admin.updateUserById(id, { ban_duration: '24h' })).error).toBeNull();
    const banned = await appClient(url()).auth.signInWithPassword({
      email: address,
      password: PASSWORD,
    });
    expect(banned.error).toMatchObject({ code: 'user_banned' });
    expect((await admin.deleteUser(id)).error).toBeNull();
    expect((await admin.getUserById(id)).error).toMatchObject({ status: 404 });
    const anon = await appClient(url()).auth.admin.listUsers();
    expect(anon.error).toMatchObject({ status: 403, code: 'not_admin' });
  });

  it('answers features that are off with GoTrue’s own codes', async () => {
    const client = appClient(url());
    expect((await client.auth.signInAnonymously()).error).toMatchObject({
      status: 422,
      code: 'anonymous_provider_disabled',
    });
    expect((await client.auth.signInWithSSO({ domain: 'example.com' })).error).toMatchObject({
      status: 404,
      code: 'saml_provider_disabled',
    });
    expect(
      (await client.auth.signInWithIdToken({ provider: 'google', token: 'x.y.z' })).error,
    ).toMatchObject({ status: 400, code: 'provider_disabled' });
    expect(
      (await client.auth.signUp({ phone: '+15555550100', password: PASSWORD })).error,
    ).toMatchObject({ status: 400, code: 'phone_provider_disabled' });
    const { client: user } = await confirmedUser();
    const token = (await user.auth.getSession()).data.session!.access_token;
    const raw = (method: string, path: string, body?: unknown) =>
      fetch(`${url()}/auth/v1${path}`, {
        method,
        headers: {
          apikey: DEMO_ANON_KEY,
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'x-supabase-api-version': '2024-01-01',
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    expect(await raw('GET', '/user/identities/authorize?provider=github')).toEqual({
      status: 404,
      body: { code: 'manual_linking_disabled', message: 'Manual linking is disabled' },
    });
    expect(await raw('PUT', '/user', { phone: 'not-a-phone' })).toEqual({
      status: 400,
      body: { code: 'validation_failed', message: 'Invalid phone number format (E.164 required)' },
    });
    expect(await raw('POST', '/token?grant_type=web3', { chain: 'ethereum' })).toEqual({
      status: 422,
      body: { code: 'web3_provider_disabled', message: 'Web3 provider is disabled' },
    });
    expect((await raw('GET', '/passkeys')).body).toEqual({
      code: 'passkey_disabled',
      message: 'Passkeys are disabled',
    });
  });

  it('administers OAuth clients with supabase-js auth.admin.oauth', async () => {
    const oauth = appClient(url(), { key: DEMO_SERVICE_ROLE_KEY }).auth.admin.oauth;
    const created = await oauth.createClient({
      client_name: 'Console',
      redirect_uris: ['https://console.example.com/callback'],
    });
    expect(created.error).toBeNull();
    const id = created.data!.client_id;
    expect(created.data?.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await oauth.listClients()).data.clients.map((c) => c.client_id)).toContain(id);
    expect((await oauth.getClient(id)).data?.client_name).toBe('Console');
    expect((await oauth.updateClient(id, { client_name: 'Console 2' })).data?.client_name).toBe(
      'Console 2',
    );
    const rotated = await oauth.regenerateClientSecret(id);
    expect(rotated.data?.client_secret).not.toBe(created.data?.client_secret);
    expect((await oauth.deleteClient(id)).error).toBeNull();
    expect((await oauth.getClient(id)).error).toMatchObject({
      status: 404,
      code: 'oauth_client_not_found',
    });
  });
});
