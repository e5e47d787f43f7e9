import { describe, expect, it } from 'vitest';
import type { MailKind } from '../../../scripts/emulators/auth/mail.ts';
import { SUPABASE_URL, useAuthEmulator } from '../../helpers/auth-emulator.ts';
import { appClient } from '../../helpers/browser.ts';
import { ManualClock } from '../../helpers/clock.ts';
import { PASSWORD } from '../../helpers/people.ts';

// Confirmations stay on, as in supabase/config.toml. The limits are raised only because this
// file sends and verifies far more mail from one address than a person would.
const clock = new ManualClock();
const auth = useAuthEmulator(
  {
    GOTRUE_RATE_LIMIT_EMAIL_SENT: '1000',
    GOTRUE_RATE_LIMIT_VERIFY: '100000',
    GOTRUE_RATE_LIMIT_OTP: '100000',
    GOTRUE_RATE_LIMIT_TOKEN_REFRESH: '100000',
  },
  { clock },
);

const REDIRECT = 'http://127.0.0.1:3000/auth/callback';
const NEW_PASSWORD = 'a-brand-new-passphrase';

let n = 0;
const email = () => `flow${++n}-${Date.now()}@example.com`;

function latest(address: string, kind: MailKind) {
  const mail = auth.emulator.deps.mailbox.latest(address, kind);
  expect(mail, `a ${kind} mail to ${address}`).toMatchObject({ to: address, kind });
  return mail!;
}

/** Follows a mailed link as a browser would, and returns where Auth sends the browser. */
async function follow(link: string): Promise<URL> {
  const res = await fetch(link, { redirect: 'manual' });
  expect(res.status).toBe(303);
  return new URL(res.headers.get('location')!);
}

const fragment = (url: URL) => new URLSearchParams(url.hash.slice(1));

const pkceClient = () => appClient(SUPABASE_URL, { pkce: true });

/** Signs up and confirms with the mailed code; the returned client is signed in. */
async function confirmedUser() {
  const address = email();
  const client = auth.client();
  expect((await client.auth.signUp({ email: address, password: PASSWORD })).error).toBeNull();
  const { otp } = latest(address, 'confirmation');
  const verified = await client.auth.verifyOtp({ email: address, token: otp, type: 'signup' });
  expect(verified.error).toBeNull();
  return { address, client, user: verified.data.user! };
}

async function signsIn(address: string, password: string) {
  const { error } = await auth.client().auth.signInWithPassword({ email: address, password });
  return error;
}

describe('sign-up confirmation', () => {
  it('needs the mailed link before the password works, and the link signs in', async () => {
    const address = email();
    const client = auth.client();
    const signUp = await client.auth.signUp({
      email: address,
      password: PASSWORD,
      options: { emailRedirectTo: REDIRECT },
    });
    expect(signUp.error).toBeNull();
    expect(signUp.data.session).toBeNull();
    expect(await signsIn(address, PASSWORD)).toMatchObject({ code: 'email_not_confirmed' });

    const target = await follow(latest(address, 'confirmation').link!);
    expect(`${target.origin}${target.pathname}`).toBe(REDIRECT);
    const params = fragment(target);
    expect(params.get('type')).toBe('signup');
    expect(params.get('token_type')).toBe('bearer');
    const set = await client.auth.setSession({
      access_token: params.get('access_token')!,
      refresh_token: params.get('refresh_token')!,
    });
    expect(set.error).toBeNull();
    expect(set.data.user?.email_confirmed_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(set.data.user?.user_metadata).toMatchObject({ email_verified: true });
    expect(await signsIn(address, PASSWORD)).toBeNull();
  });

  it('confirms a PKCE sign-up with a code for the client that signed up', async () => {
    const address = email();
    const client = pkceClient();
    const signUp = await client.auth.signUp({
      email: address,
      password: PASSWORD,
      options: { emailRedirectTo: REDIRECT },
    });
    expect(signUp.data.session).toBeNull();
    const target = await follow(latest(address, 'confirmation').link!);
    const { data, error } = await client.auth.exchangeCodeForSession(
      target.searchParams.get('code')!,
    );
    expect(error).toBeNull();
    expect(data.user?.email_confirmed_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('resends the confirmation; only the newest code works', async () => {
    const address = email();
    await auth.client().auth.signUp({ email: address, password: PASSWORD });
    const first = latest(address, 'confirmation');
    const { error } = await auth.client().auth.resend({ type: 'signup', email: address });
    expect(error).toBeNull();
    const second = latest(address, 'confirmation');
    expect(second.id).not.toBe(first.id);
    const stale = await auth.client().auth.verifyOtp({
      email: address,
      token: first.otp,
      type: 'signup',
    });
    expect(stale.error).toMatchObject({ status: 403, code: 'otp_expired' });
    const fresh = await auth.client().auth.verifyOtp({
      email: address,
      token: second.otp,
      type: 'email',
    });
    expect(fresh.error).toBeNull();
    expect(fresh.data.session?.access_token).toMatch(/^eyJ/);
    // Already confirmed: nothing more is sent.
    await auth.client().auth.resend({ type: 'signup', email: address });
    expect(auth.emulator.deps.mailbox.list(address)).toHaveLength(2);
  });
});

describe('password recovery', () => {
  it('mails a link whose fragment session can set a new password (implicit)', async () => {
    const { address } = await confirmedUser();
    const client = auth.client();
    const sent = await client.auth.resetPasswordForEmail(address, { redirectTo: REDIRECT });
    expect(sent).toEqual({ data: {}, error: null });

    const mail = latest(address, 'recovery');
    expect(new URL(mail.link!).searchParams.get('type')).toBe('recovery');
    const params = fragment(await follow(mail.link!));
    expect(params.get('type')).toBe('recovery');
    expect(Number(params.get('expires_at'))).toBeGreaterThan(Date.now() / 1000);
    await client.auth.setSession({
      access_token: params.get('access_token')!,
      refresh_token: params.get('refresh_token')!,
    });
    expect((await client.auth.updateUser({ password: NEW_PASSWORD })).error).toBeNull();
    expect(await signsIn(address, NEW_PASSWORD)).toBeNull();
    expect(await signsIn(address, PASSWORD)).toMatchObject({ code: 'invalid_credentials' });
  });

  it('answers a PKCE client with a code that only its verifier exchanges', async () => {
    const { address } = await confirmedUser();
    const client = pkceClient();
    expect(
      (await client.auth.resetPasswordForEmail(address, { redirectTo: REDIRECT })).error,
    ).toBeNull();
    const link = latest(address, 'recovery').link!;
    expect(new URL(link).searchParams.get('token')).toMatch(/^pkce_/);
    const target = await follow(link);
    expect(target.hash).toBe('');
    const code = target.searchParams.get('code')!;
    expect(code).toMatch(/^[0-9a-f-]{36}$/);

    const stranger = await pkceClient().auth.exchangeCodeForSession(code);
    // Only the client that started the flow holds the verifier the code needs.
    expect(stranger.error?.code).toBe('pkce_code_verifier_not_found');
    const { data, error } = await client.auth.exchangeCodeForSession(code);
    expect(error).toBeNull();
    expect(data.session?.user.email).toBe(address);
    expect((await client.auth.updateUser({ password: NEW_PASSWORD })).error).toBeNull();
    expect(await signsIn(address, NEW_PASSWORD)).toBeNull();
  });

  it('says the same for an unknown address, and sends nothing', async () => {
    const address = email();
    const sent = await auth.client().auth.resetPasswordForEmail(address);
    expect(sent).toEqual({ data: {}, error: null });
    expect(auth.emulator.deps.mailbox.list(address)).toEqual([]);
  });

  it('refuses an expired link and an expired code with otp_expired', async () => {
    const { address } = await confirmedUser();
    await auth.client().auth.resetPasswordForEmail(address, { redirectTo: REDIRECT });
    const mail = latest(address, 'recovery');
    clock.advance(3_600_001);
    const target = await follow(mail.link!);
    expect(Object.fromEntries(fragment(target))).toEqual({
      error: 'access_denied',
      error_code: 'otp_expired',
      error_description: 'Email link is invalid or has expired',
    });
    const { error } = await auth.client().auth.verifyOtp({
      email: address,
      token: mail.otp,
      type: 'recovery',
    });
    expect(error).toMatchObject({
      status: 403,
      code: 'otp_expired',
      message: 'Token has expired or is invalid',
    });
  });
});

describe('magic links and email OTP', () => {
  it('signs in an existing user by link, then by code', async () => {
    const { address, user } = await confirmedUser();
    const { error } = await auth.client().auth.signInWithOtp({
      email: address,
      options: { emailRedirectTo: REDIRECT },
    });
    expect(error).toBeNull();
    const first = latest(address, 'magiclink');
    const params = fragment(await follow(first.link!));
    expect(params.get('type')).toBe('magiclink');
    expect(params.get('access_token')).toMatch(/^eyJ/);
    // The link was single use.
    expect(fragment(await follow(first.link!)).get('error_code')).toBe('otp_expired');

    await auth.client().auth.signInWithOtp({ email: address });
    const second = latest(address, 'magiclink');
    const client = auth.client();
    const verified = await client.auth.verifyOtp({
      email: address,
      token: second.otp,
      type: 'email',
    });
    expect(verified.error).toBeNull();
    expect(verified.data.user?.id).toBe(user.id);
    const again = await auth.client().auth.verifyOtp({
      email: address,
      token: second.otp,
      type: 'email',
    });
    expect(again.error).toMatchObject({ status: 403, code: 'otp_expired' });
  });

  it('verifies the token hash of a link, as server-side apps do', async () => {
    const { address, user } = await confirmedUser();
    await auth.client().auth.signInWithOtp({ email: address });
    const tokenHash = new URL(latest(address, 'magiclink').link!).searchParams.get('token')!;
    const { data, error } = await auth.client().auth.verifyOtp({
      token_hash: tokenHash,
      type: 'magiclink',
    });
    expect(error).toBeNull();
    expect(data.user?.id).toBe(user.id);
    const reused = await auth.client().auth.verifyOtp({ token_hash: tokenHash, type: 'magiclink' });
    expect(reused.error).toMatchObject({ status: 403, code: 'otp_expired' });
  });

  it('signs up an unknown address with a confirmation code', async () => {
    const address = email();
    const { error } = await auth.client().auth.signInWithOtp({
      email: address,
      options: { data: { name: 'Ada' } },
    });
    expect(error).toBeNull();
    const { otp } = latest(address, 'confirmation');
    const { data, error: verifyError } = await auth.client().auth.verifyOtp({
      email: address,
      token: otp,
      type: 'email',
    });
    expect(verifyError).toBeNull();
    expect(data.user).toMatchObject({ email: address, user_metadata: { name: 'Ada' } });
    expect(data.user?.email_confirmed_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('refuses to create a user when shouldCreateUser is false', async () => {
    const address = email();
    const { error } = await auth.client().auth.signInWithOtp({
      email: address,
      options: { shouldCreateUser: false },
    });
    expect(error).toMatchObject({
      status: 422,
      code: 'otp_disabled',
      message: 'Signups not allowed for otp',
    });
    expect(auth.emulator.deps.mailbox.list(address)).toEqual([]);
  });

  it('gives a PKCE client a code for its magic link', async () => {
    const { address, user } = await confirmedUser();
    const client = pkceClient();
    await client.auth.signInWithOtp({ email: address, options: { emailRedirectTo: REDIRECT } });
    const code = (await follow(latest(address, 'magiclink').link!)).searchParams.get('code')!;
    const { data, error } = await client.auth.exchangeCodeForSession(code);
    expect(error).toBeNull();
    expect(data.user?.id).toBe(user.id);
  });
});

describe('reauthentication and email change', () => {
  it('mails a nonce that updateUser needs for the password', async () => {
    const { address, client } = await confirmedUser();
    expect((await client.auth.reauthenticate()).error).toBeNull();
    const { otp, link } = latest(address, 'reauthentication');
    expect(link).toBeUndefined();
    const updated = await client.auth.updateUser({ password: NEW_PASSWORD, nonce: otp });
    expect(updated.error).toBeNull();
    expect(await signsIn(address, NEW_PASSWORD)).toBeNull();
  });

  it('changes the email only after both addresses confirm', async () => {
    const { address, client, user } = await confirmedUser();
    const next = email();
    await client.auth.updateUser({ email: next }, { emailRedirectTo: REDIRECT });
    const toNew = latest(next, 'email_change');
    const toCurrent = latest(address, 'email_change');

    const half = await follow(toNew.link!);
    expect(fragment(half).get('message')).toMatch(/^Confirmation link accepted/);
    expect((await client.auth.refreshSession()).data.user?.email).toBe(address);

    const params = fragment(await follow(toCurrent.link!));
    expect(params.get('type')).toBe('email_change');
    const { data } = await auth.client().auth.getUser(params.get('access_token')!);
    expect(data.user).toMatchObject({ id: user.id, email: next });
    expect(await signsIn(next, PASSWORD)).toBeNull();
  });
});
