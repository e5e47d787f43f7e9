import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useAuthEmulator } from '../../helpers/auth-emulator.ts';
import { ManualClock } from '../../helpers/clock.ts';

// The OAuth 2.1 server's client admin API, as supabase-js `auth.admin.oauth` calls it.
const clock = new ManualClock();
const auth = useAuthEmulator({ GOTRUE_OAUTH_SERVER_ENABLED: 'true' }, { clock });
const oauth = () => auth.admin().auth.admin.oauth;

const stored = async (id: string) =>
  (await auth.db.sql`select * from auth.oauth_clients where id = ${id}`)[0];

describe('OAuth clients (admin)', () => {
  it('creates a confidential client, shows its secret once and stores only its hash', async () => {
    const { data, error } = await oauth().createClient({
      client_name: 'Reports',
      redirect_uris: ['https://reports.example.com/callback'],
    });
    expect(error).toBeNull();
    expect(data).toEqual({
      client_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      client_type: 'confidential',
      redirect_uris: ['https://reports.example.com/callback'],
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      client_name: 'Reports',
      registration_type: 'manual',
      created_at: new Date(clock.now()).toISOString(),
      updated_at: new Date(clock.now()).toISOString(),
    });
    const row = await stored(data!.client_id);
    expect(row?.client_secret_hash).toBe(
      createHash('sha256').update(data!.client_secret!).digest('base64url'),
    );
    const got = await oauth().getClient(data!.client_id);
    expect(got.data).not.toHaveProperty('client_secret');
    expect(got.data?.client_name).toBe('Reports');
  });

  it('creates a public client without a secret', async () => {
    const { data } = await oauth().createClient({
      client_name: 'CLI',
      token_endpoint_auth_method: 'none',
      redirect_uris: ['http://localhost:8976/callback'],
    });
    expect(data).toMatchObject({ client_type: 'public', token_endpoint_auth_method: 'none' });
    expect(data).not.toHaveProperty('client_secret');
    const again = await oauth().regenerateClientSecret(data!.client_id);
    expect(again.error).toMatchObject({
      status: 400,
      code: 'validation_failed',
      message: 'Cannot regenerate secret for public client',
    });
  });

  it('lists live clients newest first, updates, regenerates the secret and deletes', async () => {
    const first = (
      await oauth().createClient({ client_name: 'A', redirect_uris: ['https://a.example.com/cb'] })
    ).data!;
    clock.advance(1000);
    const second = (
      await oauth().createClient({ client_name: 'B', redirect_uris: ['https://b.example.com/cb'] })
    ).data!;
    const listed = await oauth().listClients();
    expect(listed.error).toBeNull();
    const ids = listed.data.clients.map((c) => c.client_id);
    expect(ids.indexOf(second.client_id)).toBeLessThan(ids.indexOf(first.client_id));

    clock.advance(1000);
    const updated = await oauth().updateClient(first.client_id, {
      client_name: 'Renamed',
      redirect_uris: ['https://a.example.com/new'],
    });
    expect(updated.data).toMatchObject({
      client_name: 'Renamed',
      redirect_uris: ['https://a.example.com/new'],
      updated_at: new Date(clock.now()).toISOString(),
    });

    const rotated = await oauth().regenerateClientSecret(first.client_id);
    expect(rotated.data?.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated.data?.client_secret).not.toBe(first.client_secret);

    expect((await oauth().deleteClient(first.client_id)).error).toBeNull();
    expect((await oauth().getClient(first.client_id)).error).toMatchObject({
      status: 404,
      code: 'oauth_client_not_found',
      message: 'OAuth client not found',
    });
    expect((await stored(first.client_id))?.deleted_at).toBeInstanceOf(Date);
    const after = (await oauth().listClients()).data.clients.map((c) => c.client_id);
    expect(after).not.toContain(first.client_id);
  });

  it('refuses bad input with GoTrue’s messages', async () => {
    expect((await oauth().createClient({ redirect_uris: [] } as never)).error).toMatchObject({
      status: 400,
      code: 'validation_failed',
      message: '400: redirect_uris is required',
    });
    expect(
      (
        await oauth().createClient({
          client_name: 'E',
          redirect_uris: ['http://evil.example.com/cb'],
        })
      ).error?.message,
    ).toBe(
      "400: invalid redirect_uri 'http://evil.example.com/cb': HTTP scheme only allowed for localhost",
    );
    expect(
      (
        await oauth().createClient({
          client_name: 'X',
          redirect_uris: ['https://x.example.com'],
          client_type: 'public',
          token_endpoint_auth_method: 'client_secret_post',
        } as never)
      ).error?.message,
    ).toBe(
      "400: client_type 'public' is inconsistent with token_endpoint_auth_method 'client_secret_post' (expected client_type 'confidential')",
    );
    const { data } = await oauth().createClient({
      client_name: 'Y',
      redirect_uris: ['https://y.example.com/cb'],
    });
    expect((await oauth().updateClient(data!.client_id, {})).error?.message).toBe(
      'No fields provided for update',
    );
    expect(
      (await oauth().updateClient(data!.client_id, { token_endpoint_auth_method: 'none' })).error
        ?.message,
    ).toBe(
      "token_endpoint_auth_method 'none' is not valid for client_type 'confidential'; valid methods: [client_secret_basic client_secret_post]",
    );
    expect((await oauth().getClient('not-a-uuid')).error).toMatchObject({
      status: 400,
      message: 'invalid client_id format',
    });
  });

  it('is for admins only', async () => {
    const { error } = await auth.client().auth.admin.oauth.listClients();
    expect(error).toMatchObject({ status: 403, code: 'not_admin' });
  });
});
