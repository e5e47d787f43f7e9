import { describe, expect, it } from 'vitest';
import { useFunctions } from '../../helpers/functions.ts';

const fx = useFunctions();

let n = 0;
const email = () => `oauth${++n}-${Date.now()}@example.com`;
const APP_CALLBACK = 'http://127.0.0.1:3000/auth/callback';

/** The `name=value` of the flow cookie, as a browser would send it back. */
function flowCookie(res: Response): string {
  const header = res.headers.get('set-cookie') ?? '';
  expect(header).toMatch(/^sb-oauth-flow=/);
  return header.split(';')[0] ?? '';
}

async function start(query = `redirect_to=${encodeURIComponent(APP_CALLBACK)}`) {
  const res = await fx.call('auth', `/oauth/local?${query}`);
  expect(res.status).toBe(200);
  const { url } = await res.json();
  return { url: url as string, cookie: flowCookie(res), res };
}

/**
 * What the browser does between start and callback: Auth's /authorize, the local
 * provider's page (auto-approved for `address`), Auth's /callback, then the app page.
 */
async function roundTrip(url: string, address: string): Promise<URL> {
  let next = `${url}&login_hint=${encodeURIComponent(address)}&auto=1`;
  for (let hop = 0; hop < 5; hop++) {
    const res = await fetch(next, { redirect: 'manual' });
    expect([302, 303]).toContain(res.status);
    next = res.headers.get('location') ?? '';
    if (next.startsWith(APP_CALLBACK)) return new URL(next);
  }
  throw new Error(`never came back to the app: ${next}`);
}

const callback = (landed: URL, cookie?: string) =>
  fx.call('auth', `/oauth/callback?${landed.searchParams.toString()}`, {
    headers: cookie ? { cookie } : {},
  });

describe('OAuth with PKCE through the local provider', () => {
  it('signs a new user in, creates their profile and clears the cookie', async () => {
    const address = email();
    const { url, cookie, res } = await start();
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toContain('Path=/functions/v1/auth/oauth');
    expect(setCookie).toMatch(/Max-Age=\d+/);
    // Served from http://localhost in tests, where a Secure cookie would never come back.
    expect(setCookie).not.toContain('Secure');
    const authorize = new URL(url);
    expect(authorize.pathname).toBe('/auth/v1/authorize');
    expect(authorize.searchParams.get('provider')).toBe('local');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('s256');
    expect(
      new URL(authorize.searchParams.get('redirect_to') ?? '').searchParams.get('state'),
    ).toMatch(/^[A-Za-z0-9_-]{32}$/);

    const landed = await roundTrip(url, address);
    expect(landed.searchParams.get('code')).toMatch(/^[0-9a-f-]{36}$/);
    const done = await callback(landed, cookie);
    expect(done.status).toBe(200);
    expect(done.headers.get('set-cookie')).toMatch(/^sb-oauth-flow=;.*Max-Age=0/);
    const session = await done.json();
    expect(session).toMatchObject({ token_type: 'bearer', user: { email: address } });

    const profiles = await fx.auth.db
      .sql`select id from public.profiles where id = ${session.user.id}`;
    expect(profiles).toHaveLength(1);
    // The token works on the protected routes.
    expect((await fx.call('auth', '/mfa/factors', { token: session.access_token })).status).toBe(
      200,
    );
  });

  it('answers 302 to the authorize URL with redirect=1', async () => {
    const res = await fx.call(
      'auth',
      `/oauth/local?redirect=1&redirect_to=${encodeURIComponent(APP_CALLBACK)}`,
    );
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/\/auth\/v1\/authorize\?provider=local/);
    flowCookie(res);
  });

  it('refuses a callback without the cookie, with another state, or a code used twice', async () => {
    const address = email();
    const first = await start();
    const landed = await roundTrip(first.url, address);

    const noCookie = await callback(landed);
    expect(noCookie.status).toBe(400);
    expect((await noCookie.json()).code).toBe('bad_request');

    const other = await start();
    const wrongState = await callback(landed, other.cookie);
    expect(wrongState.status).toBe(400);
    expect(wrongState.headers.get('set-cookie')).toMatch(/Max-Age=0/);

    expect((await callback(landed, first.cookie)).status).toBe(200);
    const again = await callback(landed, first.cookie);
    expect(again.status).toBe(401);
    expect((await again.json()).code).toBe('invalid_token');
  });

  it('validates the provider and the query', async () => {
    const unknown = await fx.call(
      'auth',
      `/oauth/myspace?redirect_to=${encodeURIComponent(APP_CALLBACK)}`,
    );
    expect(unknown.status).toBe(422);
    expect((await unknown.json()).errors).toEqual([
      expect.objectContaining({ path: 'param.provider' }),
    ]);

    const missing = await fx.call('auth', '/oauth/local');
    expect(missing.status).toBe(422);
    expect((await missing.json()).errors).toEqual([
      expect.objectContaining({ path: 'query.redirect_to' }),
    ]);

    const noCode = await fx.call('auth', '/oauth/callback?state=abc');
    expect(noCode.status).toBe(422);
    expect((await noCode.json()).errors).toEqual([expect.objectContaining({ path: 'query.code' })]);
  });
});
