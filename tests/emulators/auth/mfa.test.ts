import type { SupabaseClient } from '@supabase/supabase-js';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { totp } from '../../../scripts/emulators/auth/mfa/totp.ts';
import { useAuthEmulator } from '../../helpers/auth-emulator.ts';
import { ManualClock } from '../../helpers/clock.ts';
import { PASSWORD } from '../../helpers/people.ts';

const clock = new ManualClock();
const auth = useAuthEmulator({ GOTRUE_MAILER_AUTOCONFIRM: 'true' }, { clock });
/** The code an authenticator shows at the emulator's time. */
const code = (secret: string) => totp(secret, clock.now() / 1000);

let n = 0;
const email = () => `mfa${++n}-${Date.now()}@example.com`;

async function signedUp() {
  const client = auth.client();
  const address = email();
  const { data, error } = await client.auth.signUp({ email: address, password: PASSWORD });
  expect(error).toBeNull();
  return { client, address, user: data.user! };
}

async function signedIn(address: string) {
  const client = auth.client();
  const { error } = await client.auth.signInWithPassword({ email: address, password: PASSWORD });
  expect(error).toBeNull();
  return client;
}

async function enrolled(client: SupabaseClient, friendlyName = 'Phone') {
  const { data, error } = await client.auth.mfa.enroll({ factorType: 'totp', friendlyName });
  expect(error).toBeNull();
  return data!;
}

async function verified(client: SupabaseClient, factorId: string, secret: string) {
  const { data, error } = await client.auth.mfa.challengeAndVerify({
    factorId,
    code: code(secret),
  });
  expect(error).toBeNull();
  return data!;
}

const claims = async (client: SupabaseClient) =>
  decodeJwt((await client.auth.getSession()).data.session!.access_token);

describe('enroll, challenge, verify', () => {
  it('raises the session to aal2 with a code from the enrolled secret', async () => {
    const { client, address } = await signedUp();
    const factor = await enrolled(client);
    expect(factor).toMatchObject({ type: 'totp', friendly_name: 'Phone' });
    expect(factor.totp.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(factor.totp.uri).toBe(
      `otpauth://totp/127.0.0.1:3000:${address}?algorithm=SHA1&digits=6&issuer=127.0.0.1%3A3000&period=30&secret=${factor.totp.secret}`,
    );
    expect(factor.totp.qr_code).toMatch(/^data:image\/svg\+xml;utf-8,<svg[\s>]/);

    const before = await client.auth.mfa.listFactors();
    expect(before.data?.all).toMatchObject([{ id: factor.id, status: 'unverified' }]);
    expect(before.data?.totp).toEqual([]);

    const challenge = await client.auth.mfa.challenge({ factorId: factor.id });
    expect(challenge.error).toBeNull();
    const now = Math.floor(clock.now() / 1000);
    expect(challenge.data?.expires_at).toBeGreaterThanOrEqual(now + 295);
    expect(challenge.data?.expires_at).toBeLessThanOrEqual(now + 305);
    const { data, error } = await client.auth.mfa.verify({
      factorId: factor.id,
      challengeId: challenge.data!.id,
      code: code(factor.totp.secret),
    });
    expect(error).toBeNull();
    expect(decodeJwt(data!.access_token)).toMatchObject({
      aal: 'aal2',
      amr: expect.arrayContaining([
        { method: 'totp', timestamp: expect.any(Number) },
        { method: 'password', timestamp: expect.any(Number) },
      ]),
    });

    const aal = await client.auth.mfa.getAuthenticatorAssuranceLevel();
    expect(aal.data).toMatchObject({ currentLevel: 'aal2', nextLevel: 'aal2' });
    const after = await client.auth.mfa.listFactors();
    expect(after.data?.totp).toMatchObject([{ id: factor.id, status: 'verified' }]);

    // The aal2 session survives a refresh; reusing the verified challenge does not work.
    const refreshed = await client.auth.refreshSession();
    expect(decodeJwt(refreshed.data.session!.access_token).aal).toBe('aal2');
    const reuse = await client.auth.mfa.verify({
      factorId: factor.id,
      challengeId: challenge.data!.id,
      code: code(factor.totp.secret),
    });
    expect(reuse.error).toMatchObject({ status: 422, code: 'mfa_ip_address_mismatch' });
  });

  it('asks a later sign-in for the second factor (aal1 → aal2)', async () => {
    const { client, address } = await signedUp();
    const factor = await enrolled(client);
    await verified(client, factor.id, factor.totp.secret);

    const later = await signedIn(address);
    const aal = await later.auth.mfa.getAuthenticatorAssuranceLevel();
    expect(aal.data).toMatchObject({ currentLevel: 'aal1', nextLevel: 'aal2' });
    await verified(later, factor.id, factor.totp.secret);
    expect(await claims(later)).toMatchObject({ aal: 'aal2' });
  });

  it('refuses a wrong code, and keeps the challenge usable', async () => {
    const { client } = await signedUp();
    const factor = await enrolled(client);
    const challenge = await client.auth.mfa.challenge({ factorId: factor.id });
    const wrong = String((Number(code(factor.totp.secret)) + 500_000) % 1_000_000).padStart(6, '0');
    const bad = await client.auth.mfa.verify({
      factorId: factor.id,
      challengeId: challenge.data!.id,
      code: wrong,
    });
    expect(bad.error).toMatchObject({
      status: 422,
      code: 'mfa_verification_failed',
      message: 'Invalid TOTP code entered',
    });
    const good = await client.auth.mfa.verify({
      factorId: factor.id,
      challengeId: challenge.data!.id,
      code: code(factor.totp.secret),
    });
    expect(good.error).toBeNull();
  });

  it('deletes an expired challenge and answers mfa_challenge_expired', async () => {
    const { client } = await signedUp();
    const factor = await enrolled(client);
    const challenge = await client.auth.mfa.challenge({ factorId: factor.id });
    const id = challenge.data!.id;
    clock.advance(301_000);
    const { error } = await client.auth.mfa.verify({
      factorId: factor.id,
      challengeId: id,
      code: code(factor.totp.secret),
    });
    expect(error).toMatchObject({ status: 422, code: 'mfa_challenge_expired' });
    expect(await auth.db.sql`select 1 from auth.mfa_challenges where id = ${id}`).toHaveLength(0);
  });

  it('answers unknown challenges and other users’ factors as GoTrue does', async () => {
    const { client } = await signedUp();
    const factor = await enrolled(client);
    const unknown = await client.auth.mfa.verify({
      factorId: factor.id,
      challengeId: crypto.randomUUID(),
      code: '123456',
    });
    expect(unknown.error).toMatchObject({ status: 422, code: 'mfa_factor_not_found' });

    const other = await signedUp();
    const foreign = await other.client.auth.mfa.challenge({ factorId: factor.id });
    expect(foreign.error).toMatchObject({ status: 404, code: 'mfa_factor_not_found' });
  });
});

describe('enrolment rules', () => {
  it('refuses a duplicate friendly name and too many factors', async () => {
    const { client } = await signedUp();
    await enrolled(client, 'Laptop');
    const dup = await client.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'Laptop' });
    expect(dup.error).toMatchObject({ status: 422, code: 'mfa_factor_name_conflict' });

    const { settings } = auth.emulator.deps;
    const max = settings.mfaMaxFactors;
    settings.mfaMaxFactors = 2;
    try {
      await enrolled(client, 'Tablet');
      const third = await client.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'Watch' });
      expect(third.error).toMatchObject({ status: 422, code: 'too_many_enrolled_mfa_factors' });
    } finally {
      settings.mfaMaxFactors = max;
    }
  });

  it('cleans up abandoned enrolments, and removes unfinished ones once a factor verifies', async () => {
    const { client } = await signedUp();
    await enrolled(client, 'Old');
    clock.advance(301_000);
    const pending = await enrolled(client, 'Pending');
    const ids = async () => (await client.auth.mfa.listFactors()).data!.all.map((f) => f.id).sort();
    expect(await ids()).toEqual([pending.id]);

    const used = await enrolled(client, 'Used');
    await verified(client, used.id, used.totp.secret);
    expect(await ids()).toEqual([used.id]);
  });

  it('needs aal2 to add a factor once one is verified', async () => {
    const { client, address } = await signedUp();
    const factor = await enrolled(client);
    await verified(client, factor.id, factor.totp.secret);
    const low = await signedIn(address);
    const refused = await low.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'Second' });
    expect(refused.error).toMatchObject({ status: 403, code: 'insufficient_aal' });
    const allowed = await client.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'Second' });
    expect(allowed.error).toBeNull();
  });
});

describe('unenroll', () => {
  it('removes an unverified factor from an aal1 session', async () => {
    const { client } = await signedUp();
    const factor = await enrolled(client);
    const { data, error } = await client.auth.mfa.unenroll({ factorId: factor.id });
    expect(error).toBeNull();
    expect(data).toEqual({ id: factor.id });
    expect((await client.auth.mfa.listFactors()).data?.all).toEqual([]);
  });

  it('needs aal2 for a verified factor, then downgrades the sessions it raised', async () => {
    const { client, address } = await signedUp();
    const factor = await enrolled(client);
    await verified(client, factor.id, factor.totp.secret);

    const low = await signedIn(address);
    const refused = await low.auth.mfa.unenroll({ factorId: factor.id });
    expect(refused.error).toMatchObject({ status: 422, code: 'insufficient_aal' });

    const { error } = await client.auth.mfa.unenroll({ factorId: factor.id });
    expect(error).toBeNull();
    const refreshed = await client.auth.refreshSession();
    expect(refreshed.error).toBeNull();
    const after = decodeJwt(refreshed.data.session!.access_token);
    expect(after.aal).toBe('aal1');
    expect((after.amr as { method: string }[]).map((a) => a.method)).toEqual(['password']);
    const aal = await client.auth.mfa.getAuthenticatorAssuranceLevel();
    expect(aal.data).toMatchObject({ currentLevel: 'aal1', nextLevel: 'aal1' });
  });
});
