import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAuthSettings } from '../../../scripts/emulators/auth/settings.ts';

async function config(toml: string) {
  const configPath = join(await mkdtemp(join(tmpdir(), 'auth-hooks-')), 'config.toml');
  await writeFile(configPath, toml);
  return (env: Record<string, string> = {}) =>
    loadAuthSettings({ externalUrl: 'http://x/auth/v1', jwtSecret: 'x', configPath, env });
}

describe('hook settings', () => {
  it('reads [auth.hook.*] from config.toml, and GoTrue’s variables override them', async () => {
    const load = await config(
      '[auth.hook.password_verification_attempt]\nenabled = true\n' +
        'uri = "pg-functions://postgres/public/password_hook"\n' +
        '[auth.hook.mfa_verification_attempt]\nenabled = false\n' +
        'uri = "pg-functions://postgres/public/mfa_hook"\n',
    );
    expect(load().hooks).toEqual({
      password_verification_attempt: {
        uri: 'pg-functions://postgres/public/password_hook',
        functionName: '"public"."password_hook"',
      },
    });
    expect(
      load({
        GOTRUE_HOOK_PASSWORD_VERIFICATION_ATTEMPT_ENABLED: 'false',
        GOTRUE_HOOK_MFA_VERIFICATION_ATTEMPT_ENABLED: 'true',
        GOTRUE_HOOK_MFA_VERIFICATION_ATTEMPT_URI: 'pg-functions://postgres/auth_hooks/mfa',
      }).hooks,
    ).toEqual({
      mfa_verification_attempt: {
        uri: 'pg-functions://postgres/auth_hooks/mfa',
        functionName: '"auth_hooks"."mfa"',
      },
    });
  });

  it('runs a hook only when it is enabled, and refuses URIs GoTrue would refuse', async () => {
    const load = await config('[auth]\n');
    expect(
      load({ GOTRUE_HOOK_CUSTOM_ACCESS_TOKEN_URI: 'pg-functions://postgres/public/hook' }).hooks,
    ).toEqual({});
    const enabled = (uri: string) =>
      load({
        GOTRUE_HOOK_CUSTOM_ACCESS_TOKEN_ENABLED: 'true',
        GOTRUE_HOOK_CUSTOM_ACCESS_TOKEN_URI: uri,
      });
    expect(() => enabled('pg-functions://postgres/public/bad-name')).toThrow(
      'invalid table name: bad-name',
    );
    expect(() => enabled('https://hooks.example.com/token')).toThrow('only pg-functions://');
  });

  it('reads the project’s own config.toml: the hooks it enables and the OAuth server off', () => {
    const settings = loadAuthSettings({ externalUrl: 'http://x/auth/v1', jwtSecret: 'x' });
    expect(settings.hooks.custom_access_token?.functionName).toBe(
      '"public"."custom_access_token_hook"',
    );
    expect(settings.anonymousSignIns).toBe(false);
    expect(settings.oauthServer.enabled).toBe(false);
  });
});
