import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useFunctions } from '../../helpers/functions.ts';
import { PASSWORD } from '../../helpers/people.ts';

const fx = useFunctions(
  { GOTRUE_MAILER_AUTOCONFIRM: 'true' },
  {
    CORS_ORIGINS: ['https://app.example.com'],
    AUTH_RATE_LIMIT_PER_IP: 20,
    AUTH_RATE_LIMIT_PER_ACCOUNT: 3,
  },
);
const newEmail = () => `h-${randomUUID().slice(0, 8)}@example.com`;

async function signedUp() {
  const email = newEmail();
  const res = await fx.call('auth', '/register', { json: { email, password: PASSWORD } });
  expect(res.status).toBe(201);
  const body = await res.json();
  return { email, id: body.user.id as string, token: body.session.access_token as string };
}

describe('a token whose session ended elsewhere, still inside the liveness window', () => {
  it('gets 401 from every auth route, never a 502', async () => {
    const { token } = await signedUp();
    expect((await fx.call('auth', '/mfa/factors', { token })).status).toBe(200);
    // Ended behind this instance's back: its session cache still says active for seconds.
    await fx.auth.db.sql`delete from auth.sessions`;
    const calls: Array<[string, { json?: unknown }]> = [
      ['/mfa/factors', {}],
      ['/mfa/enroll', { json: { friendly_name: 'Phone' } }],
      [
        '/password/update',
        { json: { password: 'yet-another-password-1', current_password: PASSWORD } },
      ],
      ['/logout', { json: {} }],
    ];
    for (const [path, init] of calls) {
      const res = await fx.call('auth', path, { token, ...init });
      expect([path, res.status, (await res.json()).code]).toEqual([path, 401, 'invalid_token']);
    }
  });
});

describe('the sb-access-token cookie', () => {
  it('authenticates a change only from an allowed origin', async () => {
    const { token } = await signedUp();
    const cookie = `sb-access-token=${token}`;
    const post = (headers: Record<string, string>) =>
      fx.call('api', '/projects', { json: { name: 'Cookie' }, headers: { cookie, ...headers } });
    const foreign = await post({ origin: 'https://evil.example' });
    expect([foreign.status, (await foreign.json()).code]).toEqual([403, 'forbidden']);
    expect((await post({})).status).toBe(403);
    expect((await post({ origin: 'https://app.example.com' })).status).toBe(201);
    // Reading needs no origin, and a bearer token needs none at all.
    expect((await fx.call('api', '/projects', { headers: { cookie } })).status).toBe(200);
    const bearer = await fx.call('api', '/projects', {
      token,
      json: { name: 'Bearer' },
      headers: { origin: 'https://evil.example' },
    });
    expect(bearer.status).toBe(201);
  });
});

describe('rate limit headers', () => {
  it('describe the limit that refused', async () => {
    const email = newEmail();
    const reset = () =>
      fx.call('auth', '/password/reset', {
        json: { email },
        headers: { 'x-forwarded-for': '198.51.100.77' },
      });
    for (let i = 0; i < 3; i++) expect((await reset()).status).toBe(202);
    const refused = await reset();
    expect(refused.status).toBe(429);
    // The account-from-this-address limit (3) refused, not the address's own (20).
    expect(refused.headers.get('ratelimit-policy')).toBe('3;w=300');
    expect(refused.headers.get('ratelimit')).toMatch(/^limit=3, remaining=0, reset=\d+$/);
  });
});

describe('passwords', () => {
  it.each([
    ['12345678', undefined],
    ['password', undefined],
    ['the email itself', 'self'],
  ])('refuses %s with weak_password at the password field', async (password, self) => {
    const email = newEmail();
    const res = await fx.call('auth', '/register', {
      json: { email, password: self ? email : password },
    });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.code).toBe('weak_password');
    expect(body.errors).toEqual([{ path: 'body.password', message: expect.any(String) }]);
  });
});
