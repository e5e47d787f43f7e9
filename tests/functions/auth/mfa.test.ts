import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { totp } from '../../../scripts/emulators/auth/mfa/totp.ts';
import { useFunctions } from '../../helpers/functions.ts';
import { PASSWORD } from '../../helpers/people.ts';

const fx = useFunctions({ GOTRUE_MAILER_AUTOCONFIRM: 'true' });

let n = 0;

async function signedIn() {
  const address = `mfa${++n}-${Date.now()}@example.com`;
  const res = await fx.call('auth', '/register', { json: { email: address, password: PASSWORD } });
  expect(res.status).toBe(201);
  return (await res.json()).session.access_token as string;
}

async function enroll(token: string, friendly_name = 'Phone') {
  const res = await fx.call('auth', '/mfa/enroll', { token, json: { friendly_name } });
  expect(res.status).toBe(201);
  return res.json();
}

async function challenge(token: string, factor_id: string) {
  const res = await fx.call('auth', '/mfa/challenge', { token, json: { factor_id } });
  expect(res.status).toBe(201);
  return res.json();
}

/** Enrols and verifies a factor; returns the aal1 token, the aal2 session and the factor id. */
async function withVerifiedFactor() {
  const aal1 = await signedIn();
  const factor = await enroll(aal1);
  const ch = await challenge(aal1, factor.id);
  const res = await fx.call('auth', '/mfa/verify', {
    token: aal1,
    json: { factor_id: factor.id, challenge_id: ch.id, code: totp(factor.totp.secret) },
  });
  expect(res.status).toBe(200);
  return { aal1, session: await res.json(), factorId: factor.id as string };
}

describe('MFA enrol → challenge → verify', () => {
  it('raises the session to aal2 with a TOTP code', async () => {
    const token = await signedIn();
    expect(decodeJwt(token).aal).toBe('aal1');
    const factor = await enroll(token);
    expect(factor).toMatchObject({ type: 'totp', friendly_name: 'Phone' });
    expect(factor.totp.secret).toMatch(/^[A-Z2-7]+$/);
    expect(factor.totp.uri).toMatch(/^otpauth:\/\/totp\//);
    // Percent-encoded, so a browser shows it: no raw markup or '#' left in the URL.
    expect(factor.totp.qr_code).toMatch(/^data:image\/svg\+xml;charset=utf-8,%3Csvg[^<#]+$/);

    const ch = await challenge(token, factor.id);
    expect(ch.expires_at).toBeGreaterThan(Date.now() / 1000);
    const wrong = await fx.call('auth', '/mfa/verify', {
      token,
      json: {
        factor_id: factor.id,
        challenge_id: ch.id,
        code: totp(factor.totp.secret, Date.now() / 1000 - 600),
      },
    });
    expect(wrong.status).toBe(422);
    expect((await wrong.json()).code).toBe('mfa_verification_failed');

    const res = await fx.call('auth', '/mfa/verify', {
      token,
      json: { factor_id: factor.id, challenge_id: ch.id, code: totp(factor.totp.secret) },
    });
    expect(res.status).toBe(200);
    const session = await res.json();
    expect(session).toMatchObject({ token_type: 'bearer', refresh_token: expect.any(String) });
    expect(decodeJwt(session.access_token).aal).toBe('aal2');

    const list = await fx.call('auth', '/mfa/factors', { token: session.access_token });
    expect(list.status).toBe(200);
    const { factors } = await list.json();
    expect(factors).toEqual([
      expect.objectContaining({ id: factor.id, status: 'verified', factor_type: 'totp' }),
    ]);
    expect(JSON.stringify(factors)).not.toContain(factor.totp.secret);

    const actions = await fx.auth.db.sql<{ action: string }[]>`
      select action from public.audit_log where target_id = ${factor.id} order by id`;
    expect(actions.map((r) => r.action)).toEqual(['auth.mfa.enrolled', 'auth.mfa.verified']);
  });

  it('does not cache the enrolment, which carries the secret', async () => {
    const res = await fx.call('auth', '/mfa/enroll', { token: await signedIn(), json: {} });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers an unknown factor with 404', async () => {
    const token = await signedIn();
    const res = await fx.call('auth', '/mfa/challenge', {
      token,
      json: { factor_id: '00000000-0000-4000-8000-000000000000' },
    });
    expect(res.status).toBe(404);
  });

  it('validates bodies with field paths', async () => {
    const token = await signedIn();
    const res = await fx.call('auth', '/mfa/verify', {
      token,
      json: { factor_id: 'x', challenge_id: 'y', code: '12ab' },
    });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'body.challenge_id',
      'body.code',
      'body.factor_id',
    ]);
    const enrol = await fx.call('auth', '/mfa/enroll', { token, json: { friendly_name: '' } });
    expect((await enrol.json()).errors).toEqual([
      expect.objectContaining({ path: 'body.friendly_name' }),
    ]);
  });
});

describe('DELETE /mfa/factors/{id}', () => {
  it('needs aal2: aal1 gets 403 insufficient_aal, aal2 removes the factor', async () => {
    const { aal1, session, factorId } = await withVerifiedFactor();
    const denied = await fx.call('auth', `/mfa/factors/${factorId}`, {
      method: 'DELETE',
      token: aal1,
    });
    expect(denied.status).toBe(403);
    expect((await denied.json()).code).toBe('insufficient_aal');

    const removed = await fx.call('auth', `/mfa/factors/${factorId}`, {
      method: 'DELETE',
      token: session.access_token,
    });
    expect(removed.status).toBe(204);
    const { factors } = await (
      await fx.call('auth', '/mfa/factors', { token: session.access_token })
    ).json();
    expect(factors).toEqual([]);
  });

  it('validates the id', async () => {
    const { session } = await withVerifiedFactor();
    const res = await fx.call('auth', '/mfa/factors/not-a-uuid', {
      method: 'DELETE',
      token: session.access_token,
    });
    expect(res.status).toBe(422);
    expect((await res.json()).errors).toEqual([expect.objectContaining({ path: 'param.id' })]);
  });
});

describe('MFA routes are for signed-in users only', () => {
  const id = '00000000-0000-4000-8000-000000000000';
  it.each([
    ['POST', '/mfa/enroll', {}],
    ['POST', '/mfa/challenge', { factor_id: id }],
    ['POST', '/mfa/verify', { factor_id: id, challenge_id: id, code: '123456' }],
    ['GET', '/mfa/factors', undefined],
    ['DELETE', `/mfa/factors/${id}`, undefined],
  ])('%s %s answers 401 to anonymous callers', async (method, path, json) => {
    const res = await fx.call('auth', path, { method, json });
    expect(res.status).toBe(401);
    expect((await res.json()).code).toBe('unauthorized');
  });
});
