import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { passwordWeakness } from '../../../scripts/emulators/auth/password-rules.ts';
import { loadAuthSettings } from '../../../scripts/emulators/auth/settings.ts';
import { useAuthEmulator } from '../../helpers/auth-emulator.ts';

// Symbols required, as `password_requirements = "lower_upper_letters_digits_symbols"` sets.
const SYMBOLS_REQUIRED =
  'abcdefghijklmnopqrstuvwxyz:ABCDEFGHIJKLMNOPQRSTUVWXYZ:0123456789:!@#$%^&*()_+-=[]{};\'\\\\:"|<>?,./`~';
const auth = useAuthEmulator({ GOTRUE_MAILER_AUTOCONFIRM: 'true' });
const strict = loadAuthSettings({
  externalUrl: 'http://x/auth/v1',
  jwtSecret: 'a-local-jwt-secret-with-at-least-32-chars',
  env: { GOTRUE_PASSWORD_REQUIRED_CHARACTERS: SYMBOLS_REQUIRED },
});

let n = 0;
const email = () => `pw${++n}-${Date.now()}@example.com`;
const weakOf = (error: unknown) => error as { status: number; code: string; reasons: string[] };

describe('password strength, as GoTrue checks it', () => {
  it('refuses common passwords and the address itself with weak_password and reason pwned', async () => {
    const address = email();
    for (const password of [
      '12345678',
      'password',
      'Password123!',
      address,
      address.split('@')[0],
    ]) {
      const { error } = await auth.client().auth.signUp({ email: address, password: password! });
      expect(weakOf(error)).toMatchObject({
        status: 422,
        code: 'weak_password',
        message: 'Password is known to be weak and easy to guess, please choose a different one.',
        reasons: ['pwned'],
      });
    }
  });

  it('reports every reason in GoTrue’s order, messages joined', async () => {
    const { error } = await auth.client().auth.signUp({ email: email(), password: 'abc' });
    expect(weakOf(error)).toMatchObject({
      message:
        'Password should be at least 8 characters. Password is known to be weak and easy to guess, please choose a different one.',
      reasons: ['length', 'pwned'],
    });
  });

  it('accepts passphrases', () => {
    for (const password of [
      'correct-horse-battery',
      'a-sturdy-password',
      'a-long-password',
      'bench-password-1',
      'founder-password-1',
      'first-admin-password',
      'second-password-456',
      'another-sturdy-password',
      'unused-password',
    ]) {
      expect(passwordWeakness(auth.emulator.deps.settings, password, ['x@example.com'])).toBe(
        undefined,
      );
    }
  });

  it('refuses a password over 72 bytes with 400 validation_failed', async () => {
    const { error } = await auth.client().auth.signUp({ email: email(), password: 'é'.repeat(37) });
    expect(error).toMatchObject({
      status: 400,
      code: 'validation_failed',
      message: 'Password cannot be longer than 72 characters',
    });
  });

  it('applies the required character sets with GoTrue’s message', () => {
    expect(strict.passwordRequiredCharacters).toEqual([
      'abcdefghijklmnopqrstuvwxyz',
      'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
      '0123456789',
      '!@#$%^&*()_+-=[]{};\'\\:"|<>?,./`~',
    ]);
    expect(passwordWeakness(strict, 'correct-horse-battery')).toEqual({
      reasons: ['characters'],
      message:
        'Password should contain at least one character of each: abcdefghijklmnopqrstuvwxyz, ABCDEFGHIJKLMNOPQRSTUVWXYZ, 0123456789, !@#$%^&*()_+-=[]{};\'\\:"|<>?,./`~.',
    });
    expect(passwordWeakness(strict, 'Correct-horse-battery-9')).toBe(undefined);
  });

  it('reads password_requirements and minimum_password_length from config.toml', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'auth-pw-'));
    const configPath = join(dir, 'config.toml');
    await writeFile(
      configPath,
      '[auth]\nminimum_password_length = 4\npassword_requirements = "letters_digits"\n',
    );
    const settings = loadAuthSettings({ externalUrl: 'http://x', jwtSecret: 'x', configPath });
    // GoTrue raises a minimum below 6 to 6.
    expect(settings.passwordMinLength).toBe(6);
    expect(settings.passwordRequiredCharacters).toEqual([
      'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
      '0123456789',
    ]);
    expect(settings.passwordHibpEnabled).toBe(true);
    const off = loadAuthSettings({
      externalUrl: 'http://x',
      jwtSecret: 'x',
      configPath,
      env: { GOTRUE_PASSWORD_HIBP_ENABLED: 'false' },
    });
    expect(passwordWeakness(off, 'password1')).toBe(undefined);
  });

  it('checks a new password at PUT /user and at admin update, but not at admin create', async () => {
    const address = email();
    const client = auth.client();
    await client.auth.signUp({ email: address, password: 'correct-horse-battery' });
    const own = await client.auth.updateUser({ password: address });
    expect(weakOf(own.error)).toMatchObject({ status: 422, reasons: ['pwned'] });

    const admin = auth.admin().auth.admin;
    const created = await admin.createUser({
      email: email(),
      password: 'password',
      email_confirm: true,
    });
    expect(created.error).toBeNull();
    const changed = await admin.updateUserById(created.data.user!.id, { password: 'qwertyuiop' });
    expect(weakOf(changed.error)).toMatchObject({ status: 422, code: 'weak_password' });
  });

  it('signs in with a weak but right password, noting it as GoTrue does', async () => {
    const address = email();
    const admin = auth.admin().auth.admin;
    await admin.createUser({ email: address, password: 'password', email_confirm: true });
    const { data, error } = await auth
      .client()
      .auth.signInWithPassword({ email: address, password: 'password' });
    expect(error).toBeNull();
    expect(data.weakPassword).toEqual({
      message: 'Password is known to be weak and easy to guess, please choose a different one.',
      reasons: ['pwned'],
    });
  });
});
