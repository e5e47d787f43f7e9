import { describe, expect, it } from 'vitest';
import {
  fromRecentRecovery,
  RECOVERY_WINDOW_SECONDS,
} from '../../../shared/functions/auth/routes/password-update.ts';
import { useFunctions } from '../../helpers/functions.ts';
import { PASSWORD } from '../../helpers/people.ts';

const fx = useFunctions({ GOTRUE_MAILER_AUTOCONFIRM: 'true' });

let n = 0;
const email = () => `pw${++n}-${Date.now()}@example.com`;
const NEW_PASSWORD = 'an-even-sturdier-password';

async function register() {
  const address = email();
  const res = await fx.call('auth', '/register', { json: { email: address, password: PASSWORD } });
  expect(res.status).toBe(201);
  const body = await res.json();
  return {
    address,
    token: body.session.access_token as string,
    refresh: body.session.refresh_token as string,
  };
}

const login = (address: string, password: string) =>
  fx.call('auth', '/login', { json: { email: address, password } });

const update = (token: string | undefined, json: Record<string, unknown>) =>
  fx.call('auth', '/password/update', { token, json });

/** Requests a reset, follows the mailed link as a browser would, and reads the fragment. */
async function recoverySession(address: string) {
  const res = await fx.call('auth', '/password/reset', { json: { email: address } });
  expect(res.status).toBe(202);
  const link = fx.auth.emulator.deps.mailbox.latest(address, 'recovery')?.link;
  expect(link).toMatch(/^http:\/\/.*\/auth\/v1\/verify\?/);
  const landed = await fetch(link ?? '', { redirect: 'manual' });
  expect(landed.status).toBe(303);
  const fragment = new URLSearchParams(new URL(landed.headers.get('location') ?? '').hash.slice(1));
  expect(fragment.get('type')).toBe('recovery');
  return fragment.get('access_token') ?? '';
}

describe('POST /password/update from a recovery link', () => {
  it('sets the new password without the current one', async () => {
    const { address } = await register();
    const token = await recoverySession(address);
    expect((await update(token, { password: NEW_PASSWORD })).status).toBe(204);
    expect((await login(address, NEW_PASSWORD)).status).toBe(200);
    expect((await login(address, PASSWORD)).status).toBe(401);

    const [row] = await fx.auth.db.sql<{ metadata: { via: string } }[]>`
      select metadata from public.audit_log where action = 'auth.password.changed' order by id desc limit 1`;
    expect(row?.metadata.via).toBe('recovery_link');
  });

  it('still applies Auth rules: a weak password is a 422 on the field', async () => {
    const { address } = await register();
    const token = await recoverySession(address);
    const res = await update(token, { password: 'short' });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({
      code: 'weak_password',
      errors: [{ path: 'body.password' }],
    });
  });
});

describe('POST /password/update with the current password', () => {
  it('needs the current password outside a recovery session', async () => {
    const { token } = await register();
    const res = await update(token, { password: NEW_PASSWORD });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ path: 'body.current_password' }],
    });
  });

  it('refuses a wrong current password with 401 invalid_credentials', async () => {
    const { address, token } = await register();
    const res = await update(token, {
      password: NEW_PASSWORD,
      current_password: 'not-my-password',
    });
    expect(res.status).toBe(401);
    expect((await res.json()).code).toBe('invalid_credentials');
    expect((await login(address, PASSWORD)).status).toBe(200);
  });

  it('changes it with the right one, keeps this session and ends the others', async () => {
    const { address, token } = await register();
    const other = await (await login(address, PASSWORD)).json();
    const sessions = () => fx.auth.db.sql`
      select s.id from auth.sessions s join auth.users u on u.id = s.user_id where u.email = ${address}`;
    expect(await sessions()).toHaveLength(2);

    const res = await update(token, { password: NEW_PASSWORD, current_password: PASSWORD });
    expect(res.status).toBe(204);
    // Only the caller's session is left: the other one ended, and the session the
    // re-verification opened was signed out at once.
    expect(await sessions()).toHaveLength(1);
    const refreshed = await fx.call('auth', '/refresh', {
      json: { refresh_token: other.refresh_token },
    });
    expect(refreshed.status).toBe(401);
    expect((await fx.call('auth', '/mfa/factors', { token })).status).toBe(200);
    expect((await login(address, NEW_PASSWORD)).status).toBe(200);
  });

  it('refuses the same password with 422', async () => {
    const { token } = await register();
    const res = await update(token, { password: PASSWORD, current_password: PASSWORD });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ path: 'body.password' }],
    });
  });

  it('validates the body with field paths', async () => {
    const { token } = await register();
    const res = await update(token, { password: '', current_password: 7 });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'body.current_password',
      'body.password',
    ]);
  });

  it('is for signed-in users only', async () => {
    const res = await update(undefined, { password: NEW_PASSWORD, current_password: PASSWORD });
    expect(res.status).toBe(401);
    expect((await res.json()).code).toBe('unauthorized');
  });
});

describe('fromRecentRecovery', () => {
  const now = 1_800_000_000;
  const at = (method: string, age: number) => ({ amr: [{ method, timestamp: now - age }] });

  it('accepts a mailed-link sign-in within the window', () => {
    expect(fromRecentRecovery(at('otp', 5), now)).toBe(true);
    expect(fromRecentRecovery(at('recovery', RECOVERY_WINDOW_SECONDS), now)).toBe(true);
    expect(fromRecentRecovery(at('magiclink', 60), now)).toBe(true);
  });

  it('refuses other methods, old links and malformed claims', () => {
    expect(fromRecentRecovery(at('password', 5), now)).toBe(false);
    expect(fromRecentRecovery(at('otp', RECOVERY_WINDOW_SECONDS + 1), now)).toBe(false);
    expect(fromRecentRecovery({ amr: ['otp'] }, now)).toBe(false);
    expect(fromRecentRecovery({}, now)).toBe(false);
  });
});
