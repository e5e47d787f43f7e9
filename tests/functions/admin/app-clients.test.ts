import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../helpers/clock.ts';
import { useFunctions } from '../../helpers/functions.ts';
import { basic } from '../auth/app-clients.ts';
import { adminFixtures } from './fixtures.ts';

const clock = new ManualClock();
const fx = useFunctions(
  { GOTRUE_MAILER_AUTOCONFIRM: 'true', GOTRUE_RATE_LIMIT_SIGN_IN_SIGN_UPS: '0' },
  { AUTH_RATE_LIMIT_PER_IP: 0 },
  { clock },
);
const { admin, adminAal2, adminApi, roleId, auditOf } = adminFixtures(fx, clock);

const name = () => `client-${randomUUID().slice(0, 8)}`;

async function token(id: string, secret: string) {
  const res = await fx.call('auth', '/token', {
    form: { grant_type: 'client_credentials' },
    headers: { authorization: basic(id, secret) },
  });
  return { status: res.status, body: await res.json() };
}

describe('app clients', () => {
  it('shows the secret once, keeps only its SHA-256, and the secret gets a token', async () => {
    const boss = await admin();
    const created = await adminApi('/app-clients', {
      token: boss.token,
      json: { name: name(), role_ids: [await roleId('user')], token_lifetime_seconds: 600 },
    });
    expect(created.status).toBe(201);
    const { client_id: id, client_secret: secret } = created.body;
    expect(created.body).toMatchObject({
      id,
      enabled: true,
      token_lifetime_seconds: 600,
      token_quota_per_hour: 1000,
      allowed_scopes: null,
      roles: [{ name: 'user' }],
      created_by: boss.id,
    });
    // 256 bits, base64url.
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);

    const got = await adminApi(`/app-clients/${id}`, { token: boss.token });
    expect(got.status).toBe(200);
    expect(JSON.stringify(got.body)).not.toContain(secret);
    const stored = await fx.auth.db.sql`
      select secret_hash from private.app_client_secrets where app_client_id = ${id}`;
    expect(stored).toEqual([{ secret_hash: createHash('sha256').update(secret).digest() }]);

    const issued = await token(id, secret);
    expect(issued.status).toBe(200);
    expect(issued.body.expires_in).toBe(600);
    expect((await auditOf(id)).map((e) => e.action)).toEqual([
      'app_client.created',
      'app_client.token_issued',
    ]);
  });

  it('rotates with an overlap: both secrets work until it ends, then only the new one', async () => {
    const boss = await admin();
    const { client_id: id, client_secret: old } = (
      await adminApi('/app-clients', { token: boss.token, json: { name: name() } })
    ).body;
    const rotated = await adminApi(`/app-clients/${id}/rotate-secret`, {
      token: boss.token,
      json: { overlap_seconds: 300 },
    });
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.client_secret;
    expect(fresh).not.toBe(old);
    expect(rotated.body.previous_secrets_expire_at).toBe(
      new Date(clock.now() + 300_000).toISOString(),
    );
    expect((await token(id, old)).status).toBe(200);
    expect((await token(id, fresh)).status).toBe(200);
    clock.advance(299_000);
    expect((await token(id, old)).status).toBe(200);
    clock.advance(1_000);
    expect((await token(id, old)).body.error).toBe('invalid_client');
    expect((await token(id, fresh)).status).toBe(200);
    // No body: a day's overlap.
    const again = await fx.call('admin', `/app-clients/${id}/rotate-secret`, {
      method: 'POST',
      token: boss.token,
    });
    expect(again.status).toBe(200);
    expect((await again.json()).previous_secrets_expire_at).toBe(
      new Date(clock.now() + 86_400_000).toISOString(),
    );
    expect((await auditOf(id)).filter((e) => e.action === 'app_client.secret_rotated')).toEqual([
      expect.objectContaining({ metadata: { overlap_seconds: 300 } }),
      expect.objectContaining({ metadata: { overlap_seconds: 86400 } }),
    ]);
  });

  it('disables: no new token at once, issued ones refused within 10 s, then back', async () => {
    const boss = await admin();
    const { client_id: id, client_secret: secret } = (
      await adminApi('/app-clients', { token: boss.token, json: { name: name() } })
    ).body;
    const live = (await token(id, secret)).body.access_token;
    const principal = () => fx.services.authenticator.principal(live);
    expect(await principal()).toMatchObject({ kind: 'app', id });

    // Another instance disables it: here, straight in the database.
    await fx.auth.db.sql`update public.app_clients set enabled = false where id = ${id}`;
    expect((await token(id, secret)).body.error).toBe('invalid_client');
    expect(await principal()).toMatchObject({ kind: 'app' });
    clock.advance(10_000);
    await expect(principal()).rejects.toThrow('app client disabled or token revoked');

    const back = await adminApi(`/app-clients/${id}`, {
      token: boss.token,
      method: 'PATCH',
      json: { enabled: true },
    });
    expect(back.body.enabled).toBe(true);
    expect(await principal()).toMatchObject({ kind: 'app' });
    const off = await adminApi(`/app-clients/${id}/disable`, { token: boss.token, method: 'POST' });
    expect(off.body.enabled).toBe(false);
    // This instance changed it, so this instance refuses at once.
    await expect(principal()).rejects.toThrow();
    expect((await auditOf(id)).map((e) => e.action)).toEqual([
      'app_client.created',
      'app_client.token_issued',
      // The refused attempt while disabled.
      'app_client.auth_failed',
      'app_client.updated',
      'app_client.enabled',
      'app_client.disabled',
    ]);
  });

  it('updates its limits and scopes, and validates them', async () => {
    const boss = await admin();
    const { client_id: id } = (
      await adminApi('/app-clients', { token: boss.token, json: { name: name() } })
    ).body;
    const patched = await adminApi(`/app-clients/${id}`, {
      token: boss.token,
      method: 'PATCH',
      json: { allowed_scopes: ['audit:read'], token_quota_per_hour: 5, description: 'Nightly' },
    });
    expect(patched.body).toMatchObject({
      allowed_scopes: ['audit:read'],
      token_quota_per_hour: 5,
      description: 'Nightly',
    });
    for (const json of [
      { token_lifetime_seconds: 59 },
      { allowed_scopes: ['not a scope'] },
      { name: '' },
      { secret: 'x' },
    ]) {
      const res = await adminApi(`/app-clients/${id}`, {
        token: boss.token,
        method: 'PATCH',
        json,
      });
      expect({ json, status: res.status }).toEqual({ json, status: 422 });
    }
    const taken = await adminApi('/app-clients', {
      token: boss.token,
      json: { name: patched.body.name },
    });
    expect(taken.status).toBe(409);
  });

  it('gives and takes roles, and deletes the client with aal2', async () => {
    const boss = await adminAal2();
    const { client_id: id, client_secret: secret } = (
      await adminApi('/app-clients', { token: boss.token, json: { name: name() } })
    ).body;
    const role = await roleId('user');
    expect(
      (await adminApi(`/app-clients/${id}/roles/${role}`, { token: boss.token, method: 'PUT' }))
        .status,
    ).toBe(204);
    const roles = await adminApi(`/app-clients/${id}/roles`, { token: boss.token });
    expect(roles.body.data).toEqual([
      { id: role, name: 'user', granted_at: expect.any(String), granted_by: boss.id },
    ]);
    expect(
      (await adminApi(`/app-clients/${id}/roles/${role}`, { token: boss.token, method: 'DELETE' }))
        .status,
    ).toBe(204);
    expect(
      (
        await adminApi(`/app-clients/${randomUUID()}/roles/${role}`, {
          token: boss.token,
          method: 'PUT',
        })
      ).status,
    ).toBe(404);

    const live = (await token(id, secret)).body.access_token;
    expect(
      (await adminApi(`/app-clients/${id}`, { token: boss.token, method: 'DELETE' })).status,
    ).toBe(204);
    expect((await adminApi(`/app-clients/${id}`, { token: boss.token })).status).toBe(404);
    await expect(fx.services.authenticator.principal(live)).rejects.toThrow();
    expect((await token(id, secret)).body.error).toBe('invalid_client');
  });
});
