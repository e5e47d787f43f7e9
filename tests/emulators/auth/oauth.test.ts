import type { SupabaseClient } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import { SUPABASE_URL, useAuthEmulator } from '../../helpers/auth-emulator.ts';
import { appClient } from '../../helpers/browser.ts';
import { PASSWORD } from '../../helpers/people.ts';

const auth = useAuthEmulator({
  GOTRUE_RATE_LIMIT_VERIFY: '100000',
  GOTRUE_RATE_LIMIT_TOKEN_REFRESH: '100000',
});

const REDIRECT = 'http://127.0.0.1:3000/auth/callback';
const SITE_URL = 'http://127.0.0.1:3000';

let n = 0;
const email = () => `oauth${++n}-${Date.now()}@example.com`;

const pkceClient = () => appClient(SUPABASE_URL, { pkce: true });

/** One browser hop: fetch without following, return the status and where it points. */
async function hop(url: string | URL, init: RequestInit = {}) {
  const res = await fetch(url, { ...init, redirect: 'manual' });
  const location = res.headers.get('location');
  return { res, location: location ? new URL(location) : undefined };
}

/** `signInWithOAuth` as an app calls it, up to the provider's own page. */
async function providerPage(client: SupabaseClient) {
  const { data, error } = await client.auth.signInWithOAuth({
    provider: 'local' as never,
    options: { redirectTo: REDIRECT, skipBrowserRedirect: true },
  });
  expect(error).toBeNull();
  const authorize = await hop(data.url!);
  expect(authorize.res.status).toBe(302);
  const page = authorize.location!;
  expect(page.pathname).toBe('/auth/v1/oauth-provider/authorize');
  expect(page.searchParams.get('state')).toMatch(/^eyJ/);
  return page;
}

/** The person approves on the provider page; the browser then lands on Auth's callback. */
async function approveAndReturn(page: URL, address: string) {
  const approve = new URL(page);
  approve.searchParams.set('login_hint', address);
  approve.searchParams.set('auto', '1');
  const toCallback = await hop(approve);
  expect(toCallback.res.status).toBe(302);
  expect(toCallback.location!.pathname).toBe('/auth/v1/callback');
  const back = await hop(toCallback.location!);
  expect(back.res.status).toBe(302);
  return { callback: toCallback.location!, target: back.location! };
}

describe('OAuth with the local provider', () => {
  it('completes a PKCE round trip and creates a user with a local identity', async () => {
    const address = email();
    const client = pkceClient();
    const page = await providerPage(client);
    const { target } = await approveAndReturn(page, address);
    expect(`${target.origin}${target.pathname}`).toBe(REDIRECT);
    expect(target.hash).toBe('');
    const code = target.searchParams.get('code')!;

    const { data, error } = await client.auth.exchangeCodeForSession(code);
    expect(error).toBeNull();
    const user = data.user!;
    expect(user.email).toBe(address);
    expect(user.email_confirmed_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(user.app_metadata).toMatchObject({ provider: 'local', providers: ['local'] });
    expect(user.identities).toHaveLength(1);
    expect(user.identities![0]).toMatchObject({
      provider: 'local',
      identity_data: { email: address, email_verified: true },
    });
    const { data: claims } = await client.auth.getClaims();
    expect(claims?.claims.amr).toEqual([{ method: 'oauth', timestamp: expect.any(Number) }]);

    // Signing in again finds the same user through the same identity.
    const again = pkceClient();
    const second = await approveAndReturn(await providerPage(again), address);
    const next = await again.auth.exchangeCodeForSession(second.target.searchParams.get('code')!);
    expect(next.data.user?.id).toBe(user.id);
  });

  it('answers an implicit client with the session in the fragment', async () => {
    const address = email();
    const client = auth.client();
    const { target } = await approveAndReturn(await providerPage(client), address);
    const params = new URLSearchParams(target.hash.slice(1));
    expect(params.get('token_type')).toBe('bearer');
    const { data, error } = await client.auth.setSession({
      access_token: params.get('access_token')!,
      refresh_token: params.get('refresh_token')!,
    });
    expect(error).toBeNull();
    expect(data.user?.email).toBe(address);
  });

  it('links the identity to an existing account with the same email', async () => {
    const address = email();
    const signUp = await auth.client().auth.signUp({ email: address, password: PASSWORD });
    const { otp } = auth.emulator.deps.mailbox.latest(address, 'confirmation')!;
    const verified = await auth
      .client()
      .auth.verifyOtp({ email: address, token: otp, type: 'signup' });
    expect(verified.error).toBeNull();

    const client = pkceClient();
    const { target } = await approveAndReturn(await providerPage(client), address);
    const { data } = await client.auth.exchangeCodeForSession(target.searchParams.get('code')!);
    expect(data.user?.id).toBe(signUp.data.user?.id);
    expect(data.user?.identities?.map((i) => i.provider).sort()).toEqual(['email', 'local']);
    expect(data.user?.app_metadata.providers).toEqual(['email', 'local']);
    const password = await auth
      .client()
      .auth.signInWithPassword({ email: address, password: PASSWORD });
    expect(password.error).toBeNull();
  });

  it('serves a sign-in form on the provider page, and approves on submit', async () => {
    const page = await providerPage(pkceClient());
    page.searchParams.set('login_hint', '"><script>alert(1)</script>@x.test');
    const form = await hop(page);
    expect(form.res.status).toBe(200);
    const html = await form.res.text();
    expect(html).toContain('<form method="post"');
    expect(html).not.toContain('<script>alert(1)</script>');

    const address = email();
    const submit = await hop(page, {
      method: 'POST',
      body: new URLSearchParams({ state: page.searchParams.get('state')!, email: address }),
    });
    expect(submit.res.status).toBe(302);
    expect(submit.location!.pathname).toBe('/auth/v1/callback');
    expect(submit.location!.searchParams.get('code')).toMatch(/\S{8,}/);
  });

  it('refuses a tampered state, and a provider code used twice', async () => {
    const page = await providerPage(pkceClient());
    const { callback } = await approveAndReturn(page, email());

    const state = callback.searchParams.get('state')!;
    const [head, body, sig] = state.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, referrer: 'https://evil.test/' }));
    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${head}.${forged.toString('base64url')}.${sig}`);
    const refused = await hop(tampered);
    expect(refused.res.status).toBe(303);
    expect(refused.location!.origin).toBe(SITE_URL);
    expect(refused.location!.searchParams.get('error_code')).toBe('bad_oauth_state');
    expect(refused.location!.searchParams.get('code')).toBeNull();

    // The callback above already spent the provider code.
    const replay = await hop(callback);
    expect(replay.res.status).toBe(302);
    expect(`${replay.location!.origin}${replay.location!.pathname}`).toBe(REDIRECT);
    expect(replay.location!.searchParams.get('error')).toBe('server_error');
    expect(replay.location!.searchParams.get('code')).toBeNull();
  });

  it('rejects an unknown provider with GoTrue’s error', async () => {
    const { data } = await auth.client().auth.signInWithOAuth({
      provider: 'nope' as never,
      options: { skipBrowserRedirect: true },
    });
    const res = await fetch(data.url!, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error_code: 'validation_failed',
      msg: 'Unsupported provider: Provider nope could not be found',
    });
  });
});
