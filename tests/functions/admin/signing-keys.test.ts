import { afterAll, describe, expect, it } from 'vitest';
import {
  DEMO_ANON_KEY,
  DEMO_JWT_SECRET,
  DEMO_SERVICE_ROLE_KEY,
} from '../../../scripts/local/keys.ts';
import type { Services } from '../../../shared/http/services.ts';
import { openPrivateKey } from '../../../shared/identity/key-crypto.ts';
import { createServices } from '../../../shared/runtime/services.ts';
import { testConfig } from '../../helpers/app.ts';
import { SUPABASE_URL } from '../../helpers/auth-emulator.ts';
import { ManualClock } from '../../helpers/clock.ts';
import { useFunctions } from '../../helpers/functions.ts';
import { appClientFixtures, jwtParts } from '../auth/app-clients.ts';
import { adminFixtures } from './fixtures.ts';

const clock = new ManualClock();
const fx = useFunctions(
  { GOTRUE_MAILER_AUTOCONFIRM: 'true', GOTRUE_RATE_LIMIT_SIGN_IN_SIGN_UPS: '0' },
  { AUTH_RATE_LIMIT_PER_IP: 0 },
  { clock },
);
const { adminAal2, adminApi } = adminFixtures(fx, clock);
const { seedClient, tokenFor } = appClientFixtures(fx);

let other: Services | undefined;
afterAll(async () => {
  await other?.close();
});

/** A second function instance over the same database: it learns of changes only from it. */
function secondInstance(): Services {
  const config = testConfig({
    SUPABASE_URL,
    SUPABASE_DB_URL: fx.auth.db.url,
    SUPABASE_ANON_KEY: DEMO_ANON_KEY,
    SUPABASE_SERVICE_ROLE_KEY: DEMO_SERVICE_ROLE_KEY,
    SUPABASE_JWT_SECRET: DEMO_JWT_SECRET,
    LOG_LEVEL: 'silent',
  });
  other = createServices(config, { dbName: 'second-instance', clock });
  return other;
}

const kids = async () => {
  const res = await fx.call('auth', '/.well-known/jwks.json');
  return ((await res.json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
};

describe('signing keys', () => {
  it('rotate without refusing tokens already issued, and retire once none can be valid', async () => {
    const second = secondInstance();
    const client = await seedClient({ permissions: ['audit:read'] });
    const before = await tokenFor(client);
    const first = jwtParts(before).header.kid as string;
    expect(await second.authenticator.principal(before)).toMatchObject({ kind: 'app' });

    const boss = await adminAal2();
    clock.advance(1_000); // so the new key is the newer one in the list, not a tie
    const rotated = await adminApi('/signing-keys/rotate', { token: boss.token, method: 'POST' });
    expect(rotated.status).toBe(201);
    const next = rotated.body.kid as string;
    expect(await kids()).toEqual(expect.arrayContaining([first, next]));

    // New tokens carry the new key; the old token still passes, here and elsewhere.
    const after = await tokenFor(client);
    expect(jwtParts(after).header.kid).toBe(next);
    for (const services of [fx.services, second]) {
      expect(await services.authenticator.principal(before)).toMatchObject({ kind: 'app' });
      expect(await services.authenticator.principal(after)).toMatchObject({ kind: 'app' });
    }

    const list = await adminApi('/signing-keys', { token: boss.token });
    expect(list.body.data.slice(0, 2)).toEqual([
      expect.objectContaining({ kid: next, status: 'signing', superseded_at: null }),
      expect.objectContaining({ kid: first, status: 'verifying' }),
    ]);

    const retire = (kid: string, token: string) =>
      adminApi(`/signing-keys/${kid}`, { token, method: 'DELETE' });
    expect((await retire(next, boss.token)).body).toMatchObject({
      status: 409,
      detail: 'The key that signs cannot be retired; rotate first',
    });
    expect((await retire(first, boss.token)).status).toBe(409);

    // A day later no token of the first key can be valid: it may go.
    clock.advance(86_400_000 + 1_000);
    const later = await adminAal2();
    expect((await retire(first, later.token)).status).toBe(204);
    expect(await kids()).not.toContain(first);
    expect(await fx.services.tokenKeys.verifyingKey(first)).toBeUndefined();
    expect((await retire(first, later.token)).status).toBe(404);
    // The other instance stops publishing it within its 10 s cache.
    clock.advance(10_000);
    expect(await second.tokenKeys.verifyingKey(first)).toBeUndefined();
    expect(await second.tokenKeys.verifyingKey(next)).toBeDefined();
  });

  it('keeps private halves sealed: the stored key is not a JWK, and opens only with the secret', async () => {
    await tokenFor(await seedClient());
    const rows = await fx.auth.db.sql<{ kid: string; private_key: Buffer }[]>`
      select kid, private_key from private.app_signing_keys`;
    expect(rows.length).toBeGreaterThan(0);
    const secret = fx.services.config.TOKEN_KEYS_SECRET;
    for (const row of rows) {
      expect(row.private_key.toString('latin1')).not.toMatch(/"d"|"kty"/);
      await expect(openPrivateKey(secret, row.kid, row.private_key)).resolves.toBeDefined();
      await expect(openPrivateKey(`${secret}x`, row.kid, row.private_key)).rejects.toThrow();
      // Bound to its kid: a sealed key moved under another id does not open.
      await expect(openPrivateKey(secret, `${row.kid}x`, row.private_key)).rejects.toThrow();
    }
  });
});
