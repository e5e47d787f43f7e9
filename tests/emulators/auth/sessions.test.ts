import { createRemoteJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { SUPABASE_URL, useAuthEmulator } from '../../helpers/auth-emulator.ts';
import { ManualClock } from '../../helpers/clock.ts';
import { PASSWORD } from '../../helpers/people.ts';

// Autoconfirm on; the clock moves by hand past the 10 s refresh token reuse interval.
const clock = new ManualClock();
const auth = useAuthEmulator({ GOTRUE_MAILER_AUTOCONFIRM: 'true' }, { clock });

let n = 0;
const email = () => `user${++n}-${Date.now()}@example.com`;

async function signedUp() {
  const client = auth.client();
  const address = email();
  const { data, error } = await client.auth.signUp({
    email: address,
    password: PASSWORD,
    options: { data: { name: 'Ada' } },
  });
  expect(error).toBeNull();
  return { client, address, session: data.session!, user: data.user! };
}

describe('sign up and sign in (autoconfirm)', () => {
  it('signs up with a session, and signs in with the password', async () => {
    const { address, session, user } = await signedUp();
    expect(session.access_token).toMatch(/^eyJ/);
    expect(user).toMatchObject({
      email: address,
      user_metadata: { name: 'Ada' },
      app_metadata: { provider: 'email' },
    });
    expect(user.email_confirmed_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    const other = auth.client();
    const { data, error } = await other.auth.signInWithPassword({
      email: address,
      password: PASSWORD,
    });
    expect(error).toBeNull();
    expect(data.user?.id).toBe(user.id);
    expect(data.session?.refresh_token).not.toBe(session.refresh_token);
  });

  it('refuses a second sign-up with the same address', async () => {
    const { address } = await signedUp();
    const { error } = await auth.client().auth.signUp({ email: address, password: PASSWORD });
    expect(error).toMatchObject({ status: 422, code: 'user_already_exists' });
  });

  it('answers wrong password and unknown user alike', async () => {
    const { address } = await signedUp();
    const wrong = await auth
      .client()
      .auth.signInWithPassword({ email: address, password: 'not-the-password' });
    const unknown = await auth
      .client()
      .auth.signInWithPassword({ email: email(), password: PASSWORD });
    for (const { error } of [wrong, unknown]) {
      expect(error).toMatchObject({
        status: 400,
        code: 'invalid_credentials',
        message: 'Invalid login credentials',
      });
    }
  });

  it('rejects weak passwords and malformed emails with GoTrue codes', async () => {
    const weak = await auth.client().auth.signUp({ email: email(), password: 'short' });
    expect(weak.error).toMatchObject({ status: 422, code: 'weak_password' });
    expect((weak.error as unknown as { reasons: string[] }).reasons).toEqual(['length', 'pwned']);
    const bad = await auth.client().auth.signUp({ email: 'not-an-email', password: PASSWORD });
    expect(bad.error).toMatchObject({ status: 400, code: 'email_address_invalid' });
  });
});

describe('tokens', () => {
  it('issues access tokens that verify against the JWKS, with GoTrue claims', async () => {
    const { session, user } = await signedUp();
    const jwks = createRemoteJWKSet(new URL(`${SUPABASE_URL}/auth/v1/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(session.access_token, jwks, {
      issuer: `${SUPABASE_URL}/auth/v1`,
      audience: 'authenticated',
    });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'JWT' });
    expect(payload).toMatchObject({
      sub: user.id,
      role: 'authenticated',
      aal: 'aal1',
      email: user.email,
      phone: '',
      is_anonymous: false,
      amr: [{ method: 'password', timestamp: expect.any(Number) }],
      session_id: expect.any(String),
      user_metadata: { name: 'Ada' },
    });
  });

  it('fails verification when any byte of the token is changed', async () => {
    const { session } = await signedUp();
    const jwks = createRemoteJWKSet(new URL(`${SUPABASE_URL}/auth/v1/.well-known/jwks.json`));
    const token = session.access_token;
    const [head, body, sig] = token.split('.') as [string, string, string];
    const flip = (s: string, i: number) =>
      s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    for (const tampered of [
      `${flip(head, 5)}.${body}.${sig}`,
      `${head}.${flip(body, 10)}.${sig}`,
      `${head}.${body}.${flip(sig, 3)}`,
    ]) {
      await expect(jwtVerify(tampered, jwks)).rejects.toThrow();
    }
  });

  it('getClaims verifies the token from the JWKS', async () => {
    const { client, user } = await signedUp();
    const { data, error } = await client.auth.getClaims();
    expect(error).toBeNull();
    expect(data?.claims.sub).toBe(user.id);
    expect(data?.header.alg).toBe('ES256');
  });

  it('getUser and updateUser work with the session', async () => {
    const { client, user } = await signedUp();
    const got = await client.auth.getUser();
    expect(got.data.user?.id).toBe(user.id);
    const updated = await client.auth.updateUser({ data: { name: 'Grace', team: 'core' } });
    expect(updated.error).toBeNull();
    expect(updated.data.user?.user_metadata).toEqual({ name: 'Grace', team: 'core' });
    const samePassword = await client.auth.updateUser({ password: PASSWORD });
    expect(samePassword.error).toMatchObject({ status: 422, code: 'same_password' });
    const changed = await client.auth.updateUser({ password: 'an-even-better-password' });
    expect(changed.error).toBeNull();
    const relogin = await auth
      .client()
      .auth.signInWithPassword({ email: user.email!, password: 'an-even-better-password' });
    expect(relogin.error).toBeNull();
  });

  it('rotates refresh tokens, and ends the session when an old one is reused after the interval', async () => {
    const { client, session } = await signedUp();
    const first = session.refresh_token;
    const refreshed = await client.auth.refreshSession({ refresh_token: first });
    expect(refreshed.error).toBeNull();
    const second = refreshed.data.session!.refresh_token;
    expect(second).not.toBe(first);

    // Within the reuse interval the old token still answers (two tabs refreshing at once).
    const concurrent = await auth.client().auth.refreshSession({ refresh_token: first });
    expect(concurrent.error).toBeNull();
    expect(concurrent.data.session?.refresh_token).toBe(second);

    clock.advance(10_001);
    const reused = await auth.client().auth.refreshSession({ refresh_token: first });
    expect(reused.error).toMatchObject({ status: 400, code: 'refresh_token_already_used' });
    const after = await auth.client().auth.refreshSession({ refresh_token: second });
    expect(after.error).toMatchObject({ code: 'refresh_token_not_found' });
    const { error } = await auth.client().auth.getUser(refreshed.data.session!.access_token);
    expect(error?.name).toBe('AuthSessionMissingError');
  });
});

describe('sign out', () => {
  async function threeSessions() {
    const { address, client } = await signedUp();
    const b = auth.client();
    const c = auth.client();
    await b.auth.signInWithPassword({ email: address, password: PASSWORD });
    await c.auth.signInWithPassword({ email: address, password: PASSWORD });
    const tokens = await Promise.all(
      [client, b, c].map(async (x) => (await x.auth.getSession()).data.session!.access_token),
    );
    const alive = async () =>
      Promise.all(tokens.map(async (t) => (await auth.client().auth.getUser(t)).error === null));
    return { a: client, b, c, alive };
  }

  it('local ends only this session', async () => {
    const s = await threeSessions();
    expect((await s.a.auth.signOut({ scope: 'local' })).error).toBeNull();
    expect(await s.alive()).toEqual([false, true, true]);
  });

  it('others ends every session but this one', async () => {
    const s = await threeSessions();
    expect((await s.b.auth.signOut({ scope: 'others' })).error).toBeNull();
    expect(await s.alive()).toEqual([false, true, false]);
  });

  it('global ends every session of the user', async () => {
    const s = await threeSessions();
    expect((await s.c.auth.signOut({ scope: 'global' })).error).toBeNull();
    expect(await s.alive()).toEqual([false, false, false]);
  });
});
