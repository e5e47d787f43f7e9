import { describe, expect, it } from 'vitest';
import { useFunctions } from '../../helpers/functions.ts';

// Two attempts per IP and action in the window; the account limit stays out of the way.
const fx = useFunctions(
  { GOTRUE_MAILER_AUTOCONFIRM: 'true' },
  { AUTH_RATE_LIMIT_PER_IP: 2, AUTH_RATE_LIMIT_PER_ACCOUNT: 100 },
);

let n = 0;
const email = () => `limit${++n}-${Date.now()}@example.com`;

const routes = [
  { path: '/login/magic-link', json: () => ({ email: email() }) },
  { path: '/password/reset', json: () => ({ email: email() }) },
  { path: '/verify/resend', json: () => ({ email: email(), type: 'signup' }) },
];

describe.each(routes)('POST $path rate limit', ({ path, json }) => {
  it('answers 429 with Retry-After once the per-IP limit is spent', async () => {
    const ok = await fx.call('auth', path, { json: json() });
    expect(ok.status).toBe(202);
    expect(ok.headers.get('ratelimit')).toContain('remaining=');
    expect((await fx.call('auth', path, { json: json() })).status).toBe(202);

    const limited = await fx.call('auth', path, { json: json() });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(await limited.json()).toMatchObject({ code: 'rate_limited', status: 429 });

    // Another client address has its own allowance.
    const other = await fx.call('auth', path, {
      json: json(),
      headers: { 'x-forwarded-for': '198.51.100.7' },
    });
    expect(other.status).toBe(202);
  });
});

describe('POST /password/update rate limit', () => {
  it('counts current-password checks per IP', async () => {
    const address = email();
    const reg = await fx.call('auth', '/register', {
      json: { email: address, password: 'a-sturdy-password' },
      headers: { 'x-forwarded-for': '192.0.2.44' },
    });
    const token = (await reg.json()).session.access_token;
    const attempt = () =>
      fx.call('auth', '/password/update', {
        token,
        json: { password: 'another-sturdy-password', current_password: 'wrong-password' },
      });
    expect((await attempt()).status).toBe(401);
    expect((await attempt()).status).toBe(401);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
