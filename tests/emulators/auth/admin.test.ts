import { createClient } from '@supabase/supabase-js';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { totp } from '../../../scripts/emulators/auth/mfa/totp.ts';
import { tokenHash } from '../../../scripts/emulators/auth/otp.ts';
import { DEMO_ANON_KEY } from '../../../scripts/local/keys.ts';
import { SUPABASE_URL, useAuthEmulator } from '../../helpers/auth-emulator.ts';
import { ManualClock } from '../../helpers/clock.ts';
import { PASSWORD } from '../../helpers/people.ts';

const clock = new ManualClock();
const auth = useAuthEmulator({ GOTRUE_MAILER_AUTOCONFIRM: 'true' }, { clock });

let n = 0;
const email = () => `admin${++n}-${Date.now()}@example.com`;

async function created(attrs: Record<string, unknown> = {}) {
  const address = email();
  const { data, error } = await auth.admin().auth.admin.createUser({
    email: address,
    password: PASSWORD,
    email_confirm: true,
    ...attrs,
  });
  expect(error).toBeNull();
  return { address, user: data.user! };
}

const signIn = (address: string, password = PASSWORD) =>
  auth.client().auth.signInWithPassword({ email: address, password });

// Runs first, so the file's user count is known: pagination needs exactly 3 users.
describe('listUsers', () => {
  it('pages with per_page, reporting total, next and last page as auth-js reads them', async () => {
    const made = [await created(), await created(), await created()];
    const admin = auth.admin().auth.admin;
    const first = await admin.listUsers({ page: 1, perPage: 2 });
    expect(first.error).toBeNull();
    expect(first.data).toMatchObject({ aud: 'authenticated', total: 3, nextPage: 2, lastPage: 2 });
    // Newest first, as GoTrue sorts by created_at desc.
    expect(first.data.users.map((u) => u.email)).toEqual([made[2]!.address, made[1]!.address]);
    const second = await admin.listUsers({ page: 2, perPage: 2 });
    expect(second.data).toMatchObject({ total: 3, nextPage: null, lastPage: 2 });
    expect(second.data.users.map((u) => u.email)).toEqual([made[0]!.address]);
    const all = await admin.listUsers();
    expect(all.data.users).toHaveLength(3);
  });
});

describe('the service-role key is required', () => {
  it('answers the anon key and a user token with 403 not_admin', async () => {
    const anon = await auth.client().auth.admin.listUsers();
    expect(anon.error).toMatchObject({
      status: 403,
      code: 'not_admin',
      message: 'User not allowed',
    });

    const { address } = await created();
    const session = (await signIn(address)).data.session!;
    const asUser = createClient(SUPABASE_URL, DEMO_ANON_KEY, {
      auth: { persistSession: false, autoRefreshToken: false },
      global: { headers: { Authorization: `Bearer ${session.access_token}` } },
    });
    const user = await asUser.auth.admin.createUser({ email: email(), password: PASSWORD });
    expect(user.error).toMatchObject({ status: 403, code: 'not_admin' });
  });

  it('answers a missing bearer with 401 no_authorization', async () => {
    const bare = createClient(SUPABASE_URL, DEMO_ANON_KEY, {
      auth: { persistSession: false, autoRefreshToken: false },
      global: { headers: { Authorization: '' } },
    });
    const { error } = await bare.auth.admin.listUsers();
    expect(error).toMatchObject({ status: 401, code: 'no_authorization' });
  });
});

describe('users', () => {
  it('creates a confirmed user who can sign in, and refuses duplicates and weak passwords', async () => {
    const { address, user } = await created({
      user_metadata: { name: 'Ada' },
      app_metadata: { plan: 'pro' },
    });
    expect(user).toMatchObject({
      email: address,
      role: 'authenticated',
      aud: 'authenticated',
      user_metadata: { name: 'Ada', email_verified: true },
      app_metadata: { provider: 'email', providers: ['email'], plan: 'pro' },
      identities: [{ provider: 'email' }],
    });
    expect(user.email_confirmed_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect((await signIn(address)).error).toBeNull();

    const admin = auth.admin().auth.admin;
    const dup = await admin.createUser({ email: address.toUpperCase(), password: PASSWORD });
    expect(dup.error).toMatchObject({ status: 422, code: 'email_exists' });
    // As in GoTrue, an admin's new user is not held to the strength rules; a change is.
    const weak = await admin.createUser({ email: email(), password: 'short' });
    expect(weak.error).toBeNull();
    const weakChange = await admin.updateUserById(weak.data.user!.id, { password: '12345678' });
    expect(weakChange.error).toMatchObject({ status: 422, code: 'weak_password' });
    expect((weakChange.error as unknown as { reasons: string[] }).reasons).toEqual(['pwned']);
    const unconfirmed = await admin.createUser({ email: email(), password: PASSWORD });
    expect(unconfirmed.data.user?.email_confirmed_at).toBeUndefined();
  });

  it('gets a user by id, and 404s an unknown one', async () => {
    const { user } = await created();
    const admin = auth.admin().auth.admin;
    const got = await admin.getUserById(user.id);
    expect(got.data.user).toMatchObject({ id: user.id, email: user.email });
    const missing = await admin.getUserById(crypto.randomUUID());
    expect(missing.error).toMatchObject({
      status: 404,
      code: 'user_not_found',
      message: 'User not found',
    });
  });

  it('merges metadata on update (null removes a key) and changes the password', async () => {
    const { address, user } = await created({ user_metadata: { a: 1, b: 2 } });
    const admin = auth.admin().auth.admin;
    const { data, error } = await admin.updateUserById(user.id, {
      user_metadata: { b: null, c: 3 },
      app_metadata: { roles: ['editor'] },
      role: 'authenticated',
    });
    expect(error).toBeNull();
    expect(data.user?.user_metadata).toEqual({ a: 1, c: 3, email_verified: true });
    expect(data.user?.app_metadata).toMatchObject({ provider: 'email', roles: ['editor'] });

    const session = (await signIn(address)).data.session!;
    const changed = await admin.updateUserById(user.id, { password: 'a-brand-new-password' });
    expect(changed.error).toBeNull();
    expect((await signIn(address, 'a-brand-new-password')).error).toBeNull();
    // A new password set by an admin signs the user out everywhere, as GoTrue's Logout.
    const stale = await auth.client().auth.refreshSession({ refresh_token: session.refresh_token });
    expect(stale.error).toMatchObject({ code: 'refresh_token_not_found' });
  });

  it('bans (sign-in and refresh fail with user_banned) and unbans', async () => {
    const { address, user } = await created();
    const session = (await signIn(address)).data.session!;
    const admin = auth.admin().auth.admin;
    const banned = await admin.updateUserById(user.id, { ban_duration: '1h30m' });
    expect(banned.error).toBeNull();
    expect(new Date(banned.data.user!.banned_until!).getTime()).toBe(clock.now() + 90 * 60_000);

    expect((await signIn(address)).error).toMatchObject({ status: 400, code: 'user_banned' });
    const refresh = await auth
      .client()
      .auth.refreshSession({ refresh_token: session.refresh_token });
    expect(refresh.error).toMatchObject({ status: 400, code: 'user_banned' });

    // Go durations have no days or years: GoTrue refuses "100y" (876000h is a century).
    const years = await admin.updateUserById(user.id, { ban_duration: '100y' });
    expect(years.error).toMatchObject({
      status: 400,
      code: 'validation_failed',
      message: 'invalid format for ban duration: time: unknown unit "y" in duration "100y"',
    });

    const unbanned = await admin.updateUserById(user.id, { ban_duration: 'none' });
    expect(unbanned.error).toBeNull();
    expect(unbanned.data.user?.banned_until).toBeUndefined();
    expect((await signIn(address)).error).toBeNull();
  });

  it('lets a ban run out when the clock passes banned_until', async () => {
    const { address, user } = await created();
    await auth.admin().auth.admin.updateUserById(user.id, { ban_duration: '10m' });
    clock.advance(10 * 60_000 - 1);
    expect((await signIn(address)).error).toMatchObject({ code: 'user_banned' });
    clock.advance(1);
    expect((await signIn(address)).error).toBeNull();
  });

  it('hard-deletes a user: gone, sessions and all', async () => {
    const { address, user } = await created();
    const session = (await signIn(address)).data.session!;
    const admin = auth.admin().auth.admin;
    const { data, error } = await admin.deleteUser(user.id);
    expect(error).toBeNull();
    expect(data.user).toEqual({});
    expect((await admin.getUserById(user.id)).error).toMatchObject({ status: 404 });
    expect((await signIn(address)).error).toMatchObject({ code: 'invalid_credentials' });
    expect(
      await auth.db
        .sql`select 1 from auth.sessions where id = ${decodeJwt(session.access_token).session_id as string}`,
    ).toHaveLength(0);
  });

  it('soft-deletes a user: obfuscated, signed out, no longer able to sign in', async () => {
    const { address, user } = await created({ user_metadata: { name: 'Ada' } });
    const admin = auth.admin().auth.admin;
    expect((await admin.deleteUser(user.id, true)).error).toBeNull();
    const got = await admin.getUserById(user.id);
    expect(got.data.user).toMatchObject({ id: user.id, user_metadata: {}, app_metadata: {} });
    expect(got.data.user?.email).not.toBe(address);
    expect((got.data.user as unknown as { deleted_at: string }).deleted_at).toMatch(
      /^\d{4}-\d{2}-\d{2}T/,
    );
    expect((await signIn(address)).error).toMatchObject({ code: 'invalid_credentials' });
  });
});

describe('factors', () => {
  it('lists a user’s factors and deletes one, downgrading the session it raised', async () => {
    const { address, user } = await created();
    const client = auth.client();
    await client.auth.signInWithPassword({ email: address, password: PASSWORD });
    const enrolled = await client.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'Phone' });
    const factor = enrolled.data!;
    await client.auth.mfa.challengeAndVerify({
      factorId: factor.id,
      code: totp(factor.totp.secret, clock.now() / 1000),
    });

    const admin = auth.admin().auth.admin;
    const listed = await admin.mfa.listFactors({ userId: user.id });
    expect(listed.error).toBeNull();
    expect(listed.data?.factors).toMatchObject([
      { id: factor.id, factor_type: 'totp', status: 'verified', friendly_name: 'Phone' },
    ]);
    expect(JSON.stringify(listed.data)).not.toContain(factor.totp.secret);

    const removed = await admin.mfa.deleteFactor({ userId: user.id, id: factor.id });
    expect(removed.error).toBeNull();
    // auth-js wraps this response twice (no xform), so the factor sits under data.data.
    expect(removed.data).toMatchObject({ data: { id: factor.id, status: 'verified' } });
    expect((await admin.mfa.listFactors({ userId: user.id })).data?.factors).toEqual([]);
    const again = await admin.mfa.deleteFactor({ userId: user.id, id: factor.id });
    expect(again.error).toMatchObject({ status: 404, code: 'mfa_factor_not_found' });

    const refreshed = await client.auth.refreshSession();
    expect(decodeJwt(refreshed.data.session!.access_token).aal).toBe('aal1');
  });
});

describe('invite', () => {
  it('creates an invited user and mails an invite link', async () => {
    const address = email();
    const admin = auth.admin().auth.admin;
    const { data, error } = await admin.inviteUserByEmail(address, { data: { team: 'core' } });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ email: address, user_metadata: { team: 'core' } });
    expect(data.user?.invited_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(data.user?.email_confirmed_at).toBeUndefined();

    const mail = auth.emulator.deps.mailbox.latest(address, 'invite');
    expect(mail?.otp).toMatch(/^\d{6}$/);
    const link = new URL(mail!.link!);
    expect(link.pathname).toBe('/auth/v1/verify');
    expect(link.searchParams.get('type')).toBe('invite');
    expect(link.searchParams.get('token')).toBe(tokenHash(address, mail!.otp));
    const [row] = await auth.db
      .sql`select confirmation_token from auth.users where id = ${data.user!.id}`;
    expect(row?.confirmation_token).toBe(tokenHash(address, mail!.otp));

    // The link's token verifies through /verify and signs the invitee in, confirmed.
    const verified = await auth.client().auth.verifyOtp({
      type: 'invite',
      token_hash: link.searchParams.get('token')!,
    });
    expect(verified.error).toBeNull();
    expect(verified.data.user?.email_confirmed_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('refuses to invite a confirmed address', async () => {
    const { address } = await created();
    const { error } = await auth.admin().auth.admin.inviteUserByEmail(address);
    expect(error).toMatchObject({ status: 422, code: 'email_exists' });
  });
});

describe('generateLink', () => {
  it('returns the signup link and OTP without sending mail', async () => {
    const address = email();
    const { data, error } = await auth.admin().auth.admin.generateLink({
      type: 'signup',
      email: address,
      password: PASSWORD,
      options: { data: { name: 'Ada' } },
    });
    expect(error).toBeNull();
    const { properties, user } = data;
    expect(properties).toMatchObject({
      email_otp: expect.stringMatching(/^\d{6}$/),
      verification_type: 'signup',
      redirect_to: 'http://127.0.0.1:3000',
    });
    expect(properties!.hashed_token).toBe(tokenHash(address, properties!.email_otp));
    const link = new URL(properties!.action_link);
    expect(link.searchParams.get('token')).toBe(properties!.hashed_token);
    expect(link.searchParams.get('type')).toBe('signup');
    expect(user).toMatchObject({ email: address, user_metadata: { name: 'Ada' } });
    expect(auth.emulator.deps.mailbox.latest(address)).toBeUndefined();
  });

  it('makes a magic link to an unknown address a signup, and recovery needs a user', async () => {
    const admin = auth.admin().auth.admin;
    const address = email();
    const magic = await admin.generateLink({ type: 'magiclink', email: address });
    expect(magic.data.properties?.verification_type).toBe('signup');
    expect(magic.data.user?.email).toBe(address);
    const again = await admin.generateLink({ type: 'magiclink', email: address });
    expect(again.data.properties?.verification_type).toBe('magiclink');
    expect(new URL(again.data.properties!.action_link).searchParams.get('type')).toBe('magiclink');
    const signedIn = await auth.client().auth.verifyOtp({
      type: 'magiclink',
      token_hash: again.data.properties!.hashed_token,
    });
    expect(signedIn.error).toBeNull();
    expect(signedIn.data.session?.access_token).toMatch(/^eyJ/);

    const missing = await admin.generateLink({ type: 'recovery', email: email() });
    expect(missing.error).toMatchObject({ status: 404, code: 'user_not_found' });
    const recovery = await admin.generateLink({ type: 'recovery', email: address });
    const [row] = await auth.db
      .sql`select recovery_token from auth.users where lower(email) = ${address}`;
    expect(row?.recovery_token).toBe(recovery.data.properties?.hashed_token);
  });

  it('invites and links email changes', async () => {
    const admin = auth.admin().auth.admin;
    const invited = await admin.generateLink({ type: 'invite', email: email() });
    expect(invited.data.user?.invited_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(invited.data.properties?.verification_type).toBe('invite');

    const { address } = await created();
    const target = email();
    const change = await admin.generateLink({
      type: 'email_change_new',
      email: address,
      newEmail: target,
    });
    expect(change.error).toBeNull();
    expect(change.data.user?.new_email).toBe(target);
    const link = new URL(change.data.properties!.action_link);
    expect(link.searchParams.get('type')).toBe('email_change');
    expect(link.searchParams.get('token')).toBe(
      tokenHash(target, change.data.properties!.email_otp),
    );

    const other = await created();
    const taken = await admin.generateLink({
      type: 'email_change_current',
      email: address,
      newEmail: other.address,
    });
    expect(taken.error).toMatchObject({ status: 422, code: 'email_exists' });
    const bad = await admin.generateLink({
      type: 'bogus' as 'signup',
      email: address,
      password: PASSWORD,
    });
    expect(bad.error).toMatchObject({ status: 400, code: 'validation_failed' });
  });
});
