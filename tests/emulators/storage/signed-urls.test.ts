import { decodeJwt, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_JWT_SECRET } from '../../../scripts/local/keys.ts';
import { useStorageEmulator } from '../../helpers/storage-emulator.ts';

const s = useStorageEmulator();
const vault = () => s.service().storage.from('vault');

beforeAll(async () => {
  await s.service().storage.createBucket('vault', { public: false });
  await vault().upload('reports/q1.txt', 'quarter one', { contentType: 'text/plain' });
  await vault().upload('reports/q2.txt', 'quarter two', { contentType: 'text/plain' });
});

describe('signed download URLs', () => {
  it('work for anyone until they expire, by the emulator clock', async () => {
    const { data, error } = await vault().createSignedUrl('reports/q1.txt', 60);
    expect(error).toBeNull();
    const url = data?.signedUrl ?? '';
    expect(url).toMatch(
      /^http:\/\/supabase\.test\/storage\/v1\/object\/sign\/vault\/reports\/q1\.txt\?token=/,
    );
    // The token is Storage's: a JWT over the object path with a scope and an expiry.
    const claims = decodeJwt(new URL(url).searchParams.get('token') ?? '');
    expect(claims).toMatchObject({ url: 'vault/reports/q1.txt', scope: 'download' });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(60);

    const ok = await s.fetch(url);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('quarter one');
    expect(ok.headers.get('expires')).toBe(new Date((claims.exp ?? 0) * 1000).toUTCString());

    s.clock.advance(59_000);
    expect((await s.fetch(url)).status).toBe(200);
    s.clock.advance(2_000);
    const late = await s.fetch(url);
    expect(late.status).toBe(400);
    expect(await late.json()).toEqual({
      statusCode: '400',
      code: 'InvalidJWT',
      error: 'InvalidJWT',
      message: '"exp" claim timestamp check failed',
    });
  });

  it('signs many at once, with an error for what the caller cannot read', async () => {
    const { data, error } = await vault().createSignedUrls(
      ['reports/q2.txt', 'reports/none.txt'],
      30,
      { download: 'second.txt' },
    );
    expect(error).toBeNull();
    expect(data?.[1]).toEqual({
      error: 'Either the object does not exist or you do not have access to it',
      path: 'reports/none.txt',
      signedURL: null,
      signedUrl: null,
    });
    const res = await s.fetch(data?.[0]?.signedUrl ?? '');
    expect(await res.text()).toBe('quarter two');
    expect(res.headers.get('content-disposition')).toContain('filename=second.txt');
  });

  it('opens only the object it was made for, and only to read', async () => {
    const { data } = await vault().createSignedUrl('reports/q1.txt', 60);
    const token = new URL(data?.signedUrl ?? '').searchParams.get('token');
    const other = await s.call(`object/sign/vault/reports/q2.txt?token=${token}`);
    expect(await other.json()).toMatchObject({
      code: 'InvalidSignature',
      message: 'Invalid signature',
    });
    const upload = await s.call(`object/upload/sign/vault/reports/q1.txt?token=${token}`, {
      method: 'PUT',
      body: 'overwrite',
    });
    expect(await upload.json()).toMatchObject({
      code: 'InvalidSignature',
      message: 'Token is not scoped for upload',
    });
    // A token signed with another secret is no token.
    const forged = await new SignJWT({ url: 'vault/reports/q1.txt', scope: 'download' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(`${DEMO_JWT_SECRET}-not`));
    const bad = await s.call(`object/sign/vault/reports/q1.txt?token=${forged}`);
    expect(await bad.json()).toMatchObject({
      code: 'InvalidJWT',
      message: 'signature verification failed',
    });
    const none = await s.call('object/sign/vault/reports/q1.txt');
    expect(await none.json()).toMatchObject({
      message: "querystring must have required property 'token'",
    });
  });

  it('refuses to sign a missing object or a bad expiry', async () => {
    expect((await vault().createSignedUrl('reports/none.txt', 60)).error).toMatchObject({
      statusCode: '404',
      message: 'Object not found',
    });
    expect((await vault().createSignedUrl('reports/q1.txt', 0)).error).toMatchObject({
      statusCode: '400',
      message: 'body/expiresIn must be >= 1',
    });
  });
});

describe('signed upload URLs', () => {
  it('let whoever holds the token upload once, as the signer', async () => {
    const user = await s.user();
    await s.db.sql`
      create policy "users upload to inbox" on storage.objects for insert to authenticated
        with check (bucket_id = 'vault' and name like 'inbox/%')`;
    const { data, error } = await user.client.storage
      .from('vault')
      .createSignedUploadUrl('inbox/form.txt');
    expect(error).toBeNull();
    expect(data?.path).toBe('inbox/form.txt');
    expect(data?.signedUrl).toMatch(/\/object\/upload\/sign\/vault\/inbox\/form\.txt\?token=/);
    expect(decodeJwt(data?.token ?? '')).toMatchObject({
      owner: user.id,
      upsert: false,
      scope: 'upload',
      url: 'vault/inbox/form.txt',
    });

    // Uploaded with no JWT at all: the token is the permission.
    const up = await s
      .anon()
      .storage.from('vault')
      .uploadToSignedUrl('inbox/form.txt', data?.token ?? '', 'filled in');
    expect(up).toEqual({
      data: { path: 'inbox/form.txt', fullPath: 'vault/inbox/form.txt' },
      error: null,
    });
    const [row] = await s.db.sql`
      select owner::text, owner_id from storage.objects where name = 'inbox/form.txt'`;
    expect(row).toEqual({ owner: user.id, owner_id: user.id });
    expect(await (await vault().download('inbox/form.txt')).data?.text()).toBe('filled in');

    // Without upsert, a second upload is a duplicate.
    const again = await s
      .anon()
      .storage.from('vault')
      .uploadToSignedUrl('inbox/form.txt', data?.token ?? '', 'again');
    expect(again.error).toMatchObject({
      statusCode: '409',
      message: 'The resource already exists',
    });
  });

  it('is refused to a caller RLS does not let create the object', async () => {
    const user = await s.user();
    const denied = await user.client.storage.from('vault').createSignedUploadUrl('reports/x.txt');
    expect(denied.error).toMatchObject({
      statusCode: '403',
      message: 'new row violates row-level security policy',
    });
  });

  it('expires (two hours by default)', async () => {
    const { data } = await vault().createSignedUploadUrl('late.txt');
    const claims = decodeJwt(data?.token ?? '');
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(7200);
    s.clock.advance(7201_000);
    const late = await s
      .anon()
      .storage.from('vault')
      .uploadToSignedUrl('late.txt', data?.token ?? '', 'x');
    expect(late.error).toMatchObject({
      statusCode: '400',
      message: '"exp" claim timestamp check failed',
    });
  });
});
