import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { totp } from '../../../scripts/emulators/auth/mfa/totp.ts';
import { DEMO_ANON_KEY } from '../../../scripts/local/keys.ts';
import { SUPABASE_URL } from '../../helpers/auth-emulator.ts';
import { ManualClock } from '../../helpers/clock.ts';
import { useFunctions } from '../../helpers/functions.ts';
import { PASSWORD } from '../../helpers/people.ts';

// The two sign-in doors of one account: GoTrue's own /token and /factors/{id}/verify, public
// with the anon key, and the auth function's /login and /mfa/verify. Both hooks are enabled
// in supabase/config.toml, as they are for `npm run dev`.
const clock = new ManualClock();
const fx = useFunctions({ GOTRUE_MAILER_AUTOCONFIRM: 'true' }, {}, { clock });
const CLEAN = '192.0.2.200';

const address = (i: number) => `198.51.100.${i + 1}`;

async function account(): Promise<string> {
  const email = `budget-${randomUUID().slice(0, 8)}@example.com`;
  const res = await fx.call('auth', '/register', { json: { email, password: PASSWORD } });
  expect(res.status).toBe(201);
  return email;
}

/** GoTrue's door, as any client with the anon key reaches it. */
function gotrueSignIn(email: string, password: string, ip: string) {
  return fetch(`${SUPABASE_URL}/auth/v1/token?grant_type=password`, {
    method: 'POST',
    headers: {
      apikey: DEMO_ANON_KEY,
      'content-type': 'application/json',
      'x-forwarded-for': ip,
      // As auth-js sends it, for GoTrue's current error shape.
      'x-supabase-api-version': '2024-01-01',
    },
    body: JSON.stringify({ email, password }),
  });
}

/** The auth function's door. */
function functionSignIn(email: string, password: string, ip: string) {
  return fx.call('auth', '/login', {
    json: { email, password },
    headers: { 'x-forwarded-for': ip },
  });
}

/** `n` wrong passwords from 30 addresses, alternating between the doors, ten at a time. */
async function strangers(email: string, n: number) {
  const statuses: number[] = [];
  for (let start = 0; start < n; start += 10) {
    const batch = Array.from({ length: Math.min(10, n - start) }, (_, k) => {
      const i = start + k;
      const ip = address(i % 30);
      return i % 2 === 0
        ? gotrueSignIn(email, `wrong-${i}`, ip)
        : functionSignIn(email, `wrong-${i}`, ip);
    });
    statuses.push(...(await Promise.all(batch)).map((r) => r.status));
  }
  // Refused as wrong (400 at GoTrue, 401 at the function), or as paused once the budget is spent.
  expect(statuses.filter((s) => s !== 400 && s !== 401 && s !== 429)).toEqual([]);
}

const outbox = (email: string) =>
  fx.auth.db.sql<{ subject: string }[]>`
    select subject from private.mail_outbox where to_email = ${email}`;

/**
 * The budget as deployed is 100 failures an hour; the tests below spend a smaller one (the
 * setting an operator changes), so each needs a fifth of the sign-in attempts.
 */
const BUDGET = 20;

describe('one password budget for both doors', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    const [settings] = await fx.auth.db.sql<{ budget: number; window: number }[]>`
      select password_budget as budget, password_window_seconds as window
        from private.sign_in_settings`;
    expect(settings).toEqual({ budget: 100, window: 3600 });
    await fx.auth.db.sql`update private.sign_in_settings set password_budget = ${BUDGET}`;
  });

  it('below the budget, strangers at other addresses never lock the owner out', async () => {
    const email = await account();
    await strangers(email, BUDGET - 2);
    expect((await gotrueSignIn(email, PASSWORD, CLEAN)).status).toBe(200);
    expect((await functionSignIn(email, PASSWORD, CLEAN)).status).toBe(200);
    expect(await outbox(email)).toEqual([]);
  });

  it('past it, password sign-in pauses at both doors, mails the owner once, and leaves magic links', async () => {
    const email = await account();
    await strangers(email, BUDGET + 10);

    const gotrue = await gotrueSignIn(email, PASSWORD, CLEAN);
    expect(gotrue.status).toBe(400);
    expect(await gotrue.json()).toMatchObject({
      code: 'invalid_credentials',
      message: expect.stringMatching(/paused/),
    });
    const fn = await functionSignIn(email, PASSWORD, CLEAN);
    expect(fn.status).toBe(429);
    expect(Number(fn.headers.get('retry-after'))).toBeGreaterThan(800);
    expect((await fn.json()).detail).toMatch(/paused/);
    expect(await outbox(email)).toEqual([
      { subject: 'Password sign-in to your account is paused' },
    ]);

    const link = await fx.call('auth', '/login/magic-link', {
      json: { email },
      headers: { 'x-forwarded-for': CLEAN },
    });
    expect(link.status).toBe(202);
    expect(fx.auth.emulator.deps.mailbox.list(email).map((m) => m.kind)).toContain('magiclink');

    // The pause passes: the owner signs in again, and no second mail was sent.
    clock.advance(15 * 60_000);
    expect((await functionSignIn(email, PASSWORD, CLEAN)).status).toBe(200);
    expect(await outbox(email)).toHaveLength(1);
  });

  it('the function still locks one account from one address after repeated failures', async () => {
    const email = await account();
    for (let i = 0; i < 10; i++) await functionSignIn(email, `wrong-${i}`, '203.0.113.50');
    expect((await functionSignIn(email, PASSWORD, '203.0.113.50')).status).toBe(429);
    expect((await functionSignIn(email, PASSWORD, '203.0.113.51')).status).toBe(200);
  });
});

describe('one TOTP budget per factor for both doors', () => {
  it('after 20 wrong codes at GoTrue, the right code is refused at both doors', async () => {
    const email = await account();
    const signIn = async () => {
      const res = await gotrueSignIn(email, PASSWORD, CLEAN);
      expect(res.status).toBe(200);
      return ((await res.json()) as { access_token: string }).access_token;
    };
    let token = await signIn();
    const enrolled = await fx.call('auth', '/mfa/enroll', { token, json: { friendly_name: 'P' } });
    const factor = (await enrolled.json()) as { id: string; totp: { secret: string } };
    const verify = async (code: string) => {
      const headers = {
        apikey: DEMO_ANON_KEY,
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      };
      const base = `${SUPABASE_URL}/auth/v1/factors/${factor.id}`;
      const ch = await fetch(`${base}/challenge`, { method: 'POST', headers, body: '{}' });
      if (ch.status !== 200) return ch.status;
      const { id } = (await ch.json()) as { id: string };
      const res = await fetch(`${base}/verify`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ challenge_id: id, code }),
      });
      return res.status;
    };

    // The first verification makes the factor verified; then the guessing starts.
    expect(await verify(totp(factor.totp.secret, clock.now() / 1000))).toBe(200);
    token = await signIn();
    for (let i = 0; i < 20; i++) {
      const status = await verify('000000');
      // A refused attempt ends the user's sessions, as GoTrue does: sign in again.
      if (status === 403 || status === 401) token = await signIn();
    }

    const right = () => totp(factor.totp.secret, clock.now() / 1000);
    token = await signIn();
    expect(await verify(right())).toBe(403);
    token = await signIn();
    const ch = await fx.call('auth', '/mfa/challenge', { token, json: { factor_id: factor.id } });
    const challenge = (await ch.json()) as { id: string };
    const viaFunction = await fx.call('auth', '/mfa/verify', {
      token,
      json: { factor_id: factor.id, challenge_id: challenge.id, code: right() },
    });
    expect(viaFunction.status).toBe(403);
  });
});
