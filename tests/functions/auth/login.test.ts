import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../helpers/clock.ts';
import { useFunctions } from '../../helpers/functions.ts';
import { PASSWORD } from '../../helpers/people.ts';

const clock = new ManualClock();
const fx = useFunctions(
  { GOTRUE_MAILER_AUTOCONFIRM: 'true' },
  { LOCKOUT_THRESHOLD: 3, LOCKOUT_BASE_SECONDS: 30, AUTH_RATE_LIMIT_PER_ACCOUNT: 50 },
  { clock },
);

let n = 0;
const email = () => `login${++n}-${Date.now()}@example.com`;

async function register(address = email()) {
  const res = await fx.call('auth', '/register', {
    json: { email: address, password: PASSWORD, first_name: 'Ada' },
  });
  expect(res.status).toBe(201);
  return { address, body: await res.json() };
}

describe('POST /register and /login', () => {
  it('registers with a session when confirmation is off, and signs in', async () => {
    const { address, body } = await register();
    expect(body).toMatchObject({ confirmation_required: false, user: { email: address } });
    expect(body.session.access_token).toMatch(/^eyJ/);
    const res = await fx.call('auth', '/login', { json: { email: address, password: PASSWORD } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ token_type: 'bearer', user: { email: address } });
  });

  it('answers a wrong password and an unknown account the same way', async () => {
    const { address } = await register();
    const wrong = await fx.call('auth', '/login', {
      json: { email: address, password: 'nope-nope' },
    });
    const unknown = await fx.call('auth', '/login', {
      json: { email: email(), password: 'nope-nope' },
    });
    const a = await wrong.json();
    const b = await unknown.json();
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect({ ...a, request_id: '' }).toEqual({ ...b, request_id: '' });
    expect(a.code).toBe('invalid_credentials');
  });

  it('locks an account+IP after repeated failures, then releases it after the window', async () => {
    const { address } = await register();
    const attempt = (password: string) =>
      fx.call('auth', '/login', { json: { email: address, password } });
    for (let i = 0; i < 3; i++) expect((await attempt('wrong-password')).status).toBe(401);
    const locked = await attempt(PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('30');
    expect((await locked.json()).code).toBe('rate_limited');
    clock.advance(29_000);
    expect((await attempt(PASSWORD)).status).toBe(429);
    clock.advance(1_000);
    expect((await attempt(PASSWORD)).status).toBe(200);
  });

  it('validates the body with field paths', async () => {
    const res = await fx.call('auth', '/login', { json: { email: 'not-an-email' } });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'body.email',
      'body.password',
    ]);
  });

  it('rejects a weak password at registration with 422 and the field', async () => {
    const res = await fx.call('auth', '/register', { json: { email: email(), password: 'short' } });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({
      code: 'weak_password',
      errors: [{ path: 'body.password' }],
    });
  });
});

describe('POST /refresh and /logout', () => {
  it('refreshes, then logs out so the refresh token and access token stop working', async () => {
    const { body } = await register();
    const refreshed = await fx.call('auth', '/refresh', {
      json: { refresh_token: body.session.refresh_token },
    });
    expect(refreshed.status).toBe(200);
    const session = await refreshed.json();
    const out = await fx.call('auth', '/logout', {
      json: { scope: 'global' },
      token: session.access_token,
    });
    expect(out.status).toBe(204);
    const again = await fx.call('auth', '/refresh', {
      json: { refresh_token: session.refresh_token },
    });
    expect(again.status).toBe(401);
    const after = await fx.call('auth', '/logout', { json: {}, token: session.access_token });
    expect(after.status).toBe(401);
  });

  it('needs a signed-in caller', async () => {
    expect((await fx.call('auth', '/logout', { json: {} })).status).toBe(401);
  });
});
