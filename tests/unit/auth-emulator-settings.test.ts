import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeyRing } from '../../scripts/emulators/auth/keys.ts';
import { loadAuthSettings } from '../../scripts/emulators/auth/settings.ts';

const SECRET = 'a-local-jwt-secret-with-at-least-32-chars';

describe('Auth emulator settings', () => {
  it('reads [auth] from config.toml, lets GOTRUE_* override it, and resolves signing_keys_path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'auth-config-'));
    const configPath = join(dir, 'config.toml');
    await writeFile(
      configPath,
      '[auth]\nsite_url = "http://app.test"\njwt_expiry = 600\nsigning_keys_path = "./keys.json"\n' +
        'minimum_password_length = 12\n[auth.email]\nenable_confirmations = false\n',
    );
    const settings = loadAuthSettings({
      externalUrl: 'http://x/auth/v1',
      jwtSecret: SECRET,
      configPath,
      env: { GOTRUE_JWT_EXP: '120' },
    });
    expect(settings).toMatchObject({
      siteUrl: 'http://app.test',
      jwtExpiry: 120,
      passwordMinLength: 12,
      autoconfirm: true,
      signingKeysPath: join(dir, 'keys.json'),
    });
  });

  it('creates a signing key set on first use, keeps it, and publishes only public keys', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'auth-keys-')), 'keys.json');
    const first = await KeyRing.load({ path, jwtSecret: SECRET });
    const stored = JSON.parse(await readFile(path, 'utf8'));
    expect(stored[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(first.jwks.keys[0]).not.toHaveProperty('d');
    const again = await KeyRing.load({ path, jwtSecret: SECRET });
    expect(again.jwks).toEqual(first.jwks);
    const token = await first.sign({ sub: 'x', exp: Math.floor(Date.now() / 1000) + 60 });
    expect((await again.verify(token)).sub).toBe('x');
  });
});
