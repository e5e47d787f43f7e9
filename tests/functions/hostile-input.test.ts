import { describe, expect, it } from 'vitest';
import { buildTestApp, FUNCTION_NAMES } from '../helpers/app.ts';
import { fixtures, useApi } from './api/fixtures.ts';

// Hostile input is refused once, by the shared middleware, before any route runs: the same
// answer from every function, on routes that exist and on routes that do not.

const fx = useApi();
const { signUp } = fixtures(fx);

async function problem(res: Response) {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as { code: string; errors?: Array<{ path: string; message: string }> };
}

/** Asserts a 422 `validation_failed` naming exactly these field paths. */
async function expect422(res: Response, ...paths: string[]) {
  expect(res.status).toBe(422);
  const body = await problem(res);
  expect(body.code).toBe('validation_failed');
  expect(body.errors?.map((e) => e.path).sort()).toEqual([...paths].sort());
}

const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const deepPath = `body.${Array.from({ length: 64 }, () => 'a').join('.')}`;
const post = (body: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body,
});

describe.each(FUNCTION_NAMES)('every function (%s) refuses before routing', (name) => {
  const request = (path: string, init?: RequestInit) => buildTestApp(name).request(path, init);

  it('a NUL character in a JSON string or key', async () => {
    await expect422(await request('/health', post('{"a":{"b":"x\\u0000y"}}')), 'body.a.b');
    await expect422(await request('/health', post('{"k\\u0000":1}')), 'body.k\\u0000');
  });

  it('a lone surrogate in a JSON string', async () => {
    await expect422(await request('/health', post('{"list":["ok","\\ud800"]}')), 'body.list.1');
  });

  it('JSON nested 5,000 deep, naming where it went too deep', async () => {
    await expect422(await request('/health', post(nested(5000))), deepPath);
    await expect422(await request('/health', post('['.repeat(200_000))), `body${'.0'.repeat(64)}`);
  });

  it('a NUL or broken percent-encoding in the query', async () => {
    await expect422(await request('/health?q=a%00b'), 'query.q');
    await expect422(await request('/health?q=%E0%A4%A&ok=1'), 'query.q');
    await expect422(await request('/health?name=%FF'), 'query.name');
  });

  it('a NUL or broken percent-encoding in the path', async () => {
    await expect422(await request('/a%00b'), 'path');
    await expect422(await request('/%ED%A0%80'), 'path');
  });

  it('an unknown method, with 405 and Allow', async () => {
    const res = await request('/health', { method: 'PROPFIND' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('GET');
    expect((await problem(res)).code).toBe('method_not_allowed');
  });

  it('bytes that are not UTF-8 as malformed JSON', async () => {
    const res = await request('/health', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
    });
    expect(res.status).toBe(400);
    expect((await problem(res)).code).toBe('malformed_json');
  });
});

describe('hostile input that used to reach PostgreSQL', () => {
  const raw = (path: string, token: string, body: string, method = 'POST') =>
    fx.call('api', path, {
      method,
      token,
      body,
      headers: { 'content-type': 'application/json' },
    });
  const projectCount = async (owner: string) =>
    Number(
      (await fx.auth.db.sql`select count(*) from public.projects where owner_id = ${owner}`)[0]
        ?.count,
    );

  it('names the field and writes nothing', async () => {
    const me = await signUp();
    await expect422(
      await raw('/projects', me.token, '{"name":"x","description":"a\\u0000"}'),
      'body.description',
    );
    await expect422(
      await raw('/projects', me.token, '{"name":"x","settings":{"\\u0000":1}}'),
      'body.settings.\\u0000',
    );
    await expect422(
      await raw('/projects', me.token, '{"name":"x","settings":{"\\udc00":1}}'),
      'body.settings.\ufffd',
    );
    await expect422(
      await raw('/projects', me.token, `{"name":"x","settings":${nested(5000)}}`),
      `body.settings${'.a'.repeat(63)}`,
    );
    // Once silently stored as "x\ufffdy".
    await expect422(await raw('/projects', me.token, '{"name":"x\\ud800y"}'), 'body.name');
    expect(await projectCount(me.id)).toBe(0);
  });

  it('refuses what would be stored other than sent: 1e999, __proto__', async () => {
    // Both were accepted: 1e999 parses to Infinity and was stored as null; a __proto__ key
    // became the prototype of the copied settings, dropped from the row and inherited.
    const me = await signUp();
    const create = (settings: string) =>
      raw('/projects', me.token, `{"name":"x","settings":${settings}}`);
    await expect422(
      await create('{"a":1e999,"b":[-1e999]}'),
      'body.settings.a',
      'body.settings.b.0',
    );
    await expect422(await create('{"__proto__":{"admin":true}}'), 'body.settings.__proto__');
    await expect422(
      await create('{"constructor":{"prototype":{"admin":true}}}'),
      'body.settings.constructor',
    );
    expect(await projectCount(me.id)).toBe(0);
    // An ordinary `constructor` key is data like any other.
    expect((await create('{"constructor":"flutter"}')).status).toBe(201);
  });

  it('names an unknown field by its path, cut short, instead of echoing it whole', async () => {
    // A 100 KB key came back whole inside "Unrecognized key: …", a 100 KB error body.
    const me = await signUp();
    const key = 'k'.repeat(100_001);
    const res = await raw('/projects', me.token, JSON.stringify({ name: 'x', [key]: 1 }));
    const text = await res.clone().text();
    await expect422(res, `body.${'k'.repeat(100)}`);
    expect(text.length).toBeLessThan(1_000);
    expect(JSON.parse(text).errors[0].message).toBe('Unknown field');
  });

  it('refuses a NUL in a free-text filter', async () => {
    const me = await signUp();
    await expect422(await fx.call('api', '/projects?q=a%00b', { token: me.token }), 'query.q');
  });

  it('names a path parameter by its route name', async () => {
    const me = await signUp();
    const res = await fx.call('api', '/projects/%FF', { token: me.token });
    expect(res.status).toBe(422);
    expect((await problem(res)).errors).toEqual([
      { path: 'param.id', message: 'Must be valid UTF-8 and percent-encoding' },
    ]);
  });

  it('refuses a NUL in a password before it reaches Auth', async () => {
    const res = await fx.call('auth', '/register', {
      body: '{"email":"nul@example.com","password":"long-enough\\u0000password"}',
      headers: { 'content-type': 'application/json' },
    });
    await expect422(res, 'body.password');
    const users = await fx.auth.db.sql`select 1 from auth.users where email = 'nul@example.com'`;
    expect(users).toHaveLength(0);
  });
});
