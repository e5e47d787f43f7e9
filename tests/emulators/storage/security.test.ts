import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_JWT_SECRET, DEMO_SERVICE_ROLE_KEY } from '../../../scripts/local/keys.ts';
import { useStorageEmulator } from '../../helpers/storage-emulator.ts';

const s = useStorageEmulator();
const box = () => s.service().storage.from('box');
const auth = { authorization: `Bearer ${DEMO_SERVICE_ROLE_KEY}` };

beforeAll(async () => {
  await s.service().storage.createBucket('box', { public: true });
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('object names never reach outside the data folder', () => {
  it('stores names with dots, slashes and encodings under the data folder only', async () => {
    const names = ['../../escape.txt', 'a/../../b.txt', './x/../y.txt', '%2e%2e/%2e%2e/z.txt'];
    for (const name of names) {
      const res = await s.call(`object/box/${name}`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'text/plain' },
        body: 'data',
      });
      // The URL parser resolves dot segments before the request leaves the client; what
      // arrives is stored as a key, and its bytes land in the data folder.
      expect(res.status, name).toBeLessThan(500);
    }
    const rows = await s.db.sql`select name from storage.objects where bucket_id = 'box'`;
    expect(rows.length).toBeGreaterThan(0);
    for (const file of await filesUnder(s.dataDir)) {
      expect(relative(s.dataDir, file)).not.toMatch(/^\.\./);
      // Files are named by version (a UUID), never by the object's name.
      expect(file.split('/').at(-1)).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('keeps a name with "../" as a plain key (encoded in the URL)', async () => {
    const res = await s.call(`object/box/${encodeURIComponent('../../etc/passwd')}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/plain' },
      body: 'not a password file',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ Key: 'box/../../etc/passwd' });
    const path = await s.emulator.fileOf('box', '../../etc/passwd');
    expect(relative(s.dataDir, path ?? '/')).toMatch(/^[0-9a-f]{2}\/[0-9a-f-]{36}$/);
    const back = await s.call(`object/public/box/${encodeURIComponent('../../etc/passwd')}`);
    expect(await back.text()).toBe('not a password file');
  });

  it('refuses keys with characters Storage does not allow', async () => {
    const { error } = await box().upload('größe.txt', 'x');
    expect(error).toMatchObject({ statusCode: '400', message: 'Invalid key: größe.txt' });
  });
});

describe('bad input is a 4xx with a Storage body, never a 500', () => {
  it('answers malformed encodings, bodies, ranges and tokens', async () => {
    const cases: Array<[string, RequestInit | undefined]> = [
      ['object/box/%E0%A4%A', undefined],
      ['object/list/box', { method: 'POST', headers: auth, body: '[1,2]' }],
      ['object/list/box', { method: 'POST', headers: auth, body: '{"prefix": 5}' }],
      ['object/sign/box', { method: 'POST', headers: auth, body: '{"expiresIn":1,"paths":[]}' }],
      ['object/sign/box/a.txt?token=%00', undefined],
      ['object/box', { method: 'DELETE', headers: auth, body: '' }],
      ['object/move', { method: 'POST', headers: auth, body: '{"bucketId":"box"}' }],
      ['bucket?limit=zero', { headers: auth }],
      ['object/list-v2/box', { method: 'POST', headers: auth, body: '{"cursor":"!!"}' }],
    ];
    for (const [path, init] of cases) {
      const res = await s.call(path, init);
      expect(res.status, path).toBe(400);
      const body = await res.json();
      expect(body, path).toMatchObject({ statusCode: expect.stringMatching(/^4\d\d$/) });
      expect(Object.keys(body).sort()).toEqual(['code', 'error', 'message', 'statusCode']);
    }
  });

  it('answers a JWT with a role the database lacks without a 500', async () => {
    const res = await s.call('bucket', {
      headers: { authorization: `Bearer ${await signedRole('postgres')}` },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ statusCode: '403', code: 'AccessDenied' });
  });
});

describe('what the emulator does not do answers as Storage does', () => {
  it('has image transformation off: render routes are not found', async () => {
    await box().upload('pic.png', new Blob(['png'], { type: 'image/png' }));
    const res = await s.call('render/image/public/box/pic.png?width=100');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      statusCode: '404',
      error: 'Not Found',
      message: 'Route GET:/render/image/public/box/pic.png?width=100 not found',
      code: 'InvalidRequest',
    });
    // storage-js asks for a transformation through the same routes.
    const { error } = await box().download('pic.png', { transform: { width: 10 } });
    expect(error).toMatchObject({ status: 404 });
  });

  it('answers CORS preflights for browser apps', async () => {
    const res = await s.call('object/box/a.txt', {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3000', 'access-control-request-headers': 'x-upsert' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toBe('x-upsert');
  });
});

function signedRole(role: string): Promise<string> {
  return new SignJWT({ role })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(DEMO_JWT_SECRET));
}
