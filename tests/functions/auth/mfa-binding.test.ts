import { describe, expect, it } from 'vitest';
import { totp } from '../../../scripts/emulators/auth/mfa/totp.ts';
import { ManualClock } from '../../helpers/clock.ts';
import { useFunctions } from '../../helpers/functions.ts';
import { fixtures } from '../api/fixtures.ts';

// ADMIN_MFA_REQUIRED as deployed: administrative routes want aal2 from everyone.
const clock = new ManualClock();
const fx = useFunctions(
  { GOTRUE_MAILER_AUTOCONFIRM: 'true' },
  { ADMIN_MFA_REQUIRED: true },
  { clock },
);
const { signUp, signIn: signInAs } = fixtures(fx);
/** A fresh aal1 access token for `email`. */
const signIn = async (email: string) => (await signInAs(email)).token;

/** Enrols and verifies TOTP with `token`; returns the factor and an aal2 access token. */
async function enrolTotp(token: string) {
  const enrolled = await fx.call('auth', '/mfa/enroll', {
    token,
    json: { friendly_name: 'Phone' },
  });
  const factor = (await enrolled.json()) as { id: string; totp: { secret: string } };
  const aal2 = await stepUp(token, factor);
  // Each function instance learns of a new factor within its 10-second cache; RLS at once.
  clock.advance(10_000);
  return { factor, aal2 };
}

async function stepUp(token: string, factor: { id: string; totp: { secret: string } }) {
  const ch = await fx.call('auth', '/mfa/challenge', { token, json: { factor_id: factor.id } });
  expect(ch.status).toBe(201);
  const res = await fx.call('auth', '/mfa/verify', {
    token,
    json: {
      factor_id: factor.id,
      challenge_id: (await ch.json()).id,
      code: totp(factor.totp.secret),
    },
  });
  expect(res.status).toBe(200);
  return (await res.json()).access_token as string;
}

const status = async (
  fn: string,
  path: string,
  token: string,
  init: { method?: string; json?: unknown } = {},
) => {
  const res = await fx.call(fn, path, { token, ...init });
  return { status: res.status, code: res.status >= 400 ? (await res.json()).code : undefined };
};
const STEP_UP = { status: 403, code: 'insufficient_aal' };

describe('MFA binds in the API', () => {
  it('holds back an aal1 session of a user with a verified factor, except on the way to aal2', async () => {
    const user = await signUp();
    await enrolTotp(user.token);
    const aal1 = await signIn(user.email);

    expect(await status('api', '/projects', aal1)).toEqual(STEP_UP);
    expect(await status('api', '/projects', aal1, { json: { name: 'x' } })).toEqual(STEP_UP);
    expect(await status('api', '/sessions', aal1)).toEqual(STEP_UP);
    expect(
      await status('auth', '/password/update', aal1, {
        json: { password: 'another-sturdy-password' },
      }),
    ).toEqual(STEP_UP);
    // The way to aal2 stays open: one's own profile, the factors, and signing out.
    expect((await status('api', '/users/me', aal1)).status).toBe(200);
    expect((await status('auth', '/mfa/factors', aal1)).status).toBe(200);

    const factors = await (await fx.call('auth', '/mfa/factors', { token: aal1 })).json();
    const ch = await fx.call('auth', '/mfa/challenge', {
      token: aal1,
      json: { factor_id: factors.factors[0].id },
    });
    expect(ch.status).toBe(201);
  });

  it('keeps an enrolled admin at aal1 from every admin route, and lets them through at aal2', async () => {
    const admin = await signUp();
    await fx.auth.db.sql`
      insert into public.user_roles (user_id, role_id)
      select ${admin.id}, id from public.roles where name = 'admin'`;
    // Admin routes want aal2 even before enrolment (ADMIN_MFA_REQUIRED).
    const plain = await signIn(admin.email);
    expect(await status('api', '/users', plain)).toEqual(STEP_UP);

    const { factor } = await enrolTotp(plain);
    const aal1 = await signIn(admin.email);
    const someone = await signUp();
    expect(await status('api', '/users', aal1)).toEqual(STEP_UP);
    expect(await status('api', '/audit-log', aal1)).toEqual(STEP_UP);
    expect(
      await status('api', `/users/${someone.id}`, aal1, {
        method: 'PATCH',
        json: { first_name: 'X' },
      }),
    ).toEqual(STEP_UP);

    const aal2 = await stepUp(aal1, factor);
    expect((await status('api', '/users', aal2)).status).toBe(200);
    expect((await status('api', '/audit-log', aal2)).status).toBe(200);
    expect(
      (
        await status('api', `/users/${someone.id}`, aal2, {
          method: 'PATCH',
          json: { first_name: 'X' },
        })
      ).status,
    ).toBe(200);
  });
});
