import { createRoute, z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.ts';
import { buildTestApp, FUNCTION_NAMES } from '../helpers/app.ts';

const UUID = /^[0-9a-f-]{36}$/;

async function problem(res: Response) {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as Record<string, unknown>;
}

describe.each(FUNCTION_NAMES)('the %s function', (name) => {
  it('answers /health with 200 and a request id', async () => {
    const res = await buildTestApp(name).request('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', function: name });
    expect(res.headers.get('x-request-id')).toMatch(UUID);
  });

  it('answers malformed JSON with 400 problem+json carrying the request id', async () => {
    const res = await buildTestApp(name).request('/health', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": ',
    });
    expect(res.status).toBe(400);
    const body = await problem(res);
    expect(body).toMatchObject({
      status: 400,
      code: 'malformed_json',
      type: 'urn:problem:malformed_json',
    });
    expect(body.request_id).toBe(res.headers.get('x-request-id'));
  });

  it('answers unknown routes with 404 problem+json', async () => {
    const res = await buildTestApp(name).request('/no-such-route');
    expect(res.status).toBe(404);
    expect(await problem(res)).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('sets security headers', async () => {
    const res = await buildTestApp(name).request('/health');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
  });
});

describe('the middleware stack', () => {
  function appWithRoutes() {
    const t = buildTestApp('api', { BODY_LIMIT_BYTES: 64 });
    const route = createRoute({
      method: 'post',
      path: '/echo',
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({ email: z.email(), age: z.number().int().min(0) }),
            },
          },
        },
      },
      responses: { 200: { description: 'ok' } },
    });
    t.app.openapi(route, (c) => c.json(c.req.valid('json'), 200));
    t.app.get('/boom', () => {
      throw new Error('connection to db.internal:5432 failed for user admin password=hunter2');
    });
    t.app.get('/conflict', () => {
      throw new AppError('conflict', { detail: 'Username taken' });
    });
    return t;
  }
  const json = (body: unknown) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

  it('passes a valid body through to the handler', async () => {
    const res = await appWithRoutes().request('/echo', json({ email: 'a@b.co', age: 3 }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ email: 'a@b.co', age: 3 });
  });

  it('turns schema violations into 422 with field paths', async () => {
    const res = await appWithRoutes().request('/echo', json({ email: 'nope', age: -1 }));
    expect(res.status).toBe(422);
    const body = await problem(res);
    expect(body.code).toBe('validation_failed');
    const paths = (body.errors as Array<{ path: string }>).map((e) => e.path).sort();
    expect(paths).toEqual(['body.age', 'body.email']);
  });

  it('hides internals of unexpected errors and logs them as 500', async () => {
    const t = appWithRoutes();
    const res = await t.request('/boom');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toMatch(/hunter2|db\.internal|Error:|at /);
    expect(JSON.parse(text)).toMatchObject({ code: 'internal', status: 500 });
    const logged = t.logs.find((l) => l.msg === 'request failed');
    expect(logged).toMatchObject({ level: 'error', code: 'internal' });
    expect(JSON.stringify(logged)).toContain('db.internal');
  });

  it('keeps the code and detail of an AppError', async () => {
    const res = await appWithRoutes().request('/conflict');
    expect(res.status).toBe(409);
    expect(await problem(res)).toMatchObject({ code: 'conflict', detail: 'Username taken' });
  });

  it('rejects bodies over the limit with 413', async () => {
    const res = await appWithRoutes().request(
      '/echo',
      json({ email: `${'a'.repeat(100)}@b.co`, age: 1 }),
    );
    expect(res.status).toBe(413);
    expect(await problem(res)).toMatchObject({ code: 'payload_too_large' });
  });

  it("always makes its own request id, keeping a client's only beside it and only when safe", async () => {
    const t = buildTestApp('api');
    const ok = await t.app.request('/api/health', { headers: { 'x-request-id': 'trace-abc-123' } });
    const serverId = ok.headers.get('x-request-id');
    expect(serverId).toMatch(UUID);
    const line = t.logs.find((l) => l.msg === 'request' && l.request_id === serverId);
    expect(line).toMatchObject({ request_id: serverId, client_request_id: 'trace-abc-123' });

    const bad = await t.app.request('/api/health', {
      headers: { 'x-request-id': 'a b"<script>' },
    });
    const badId = bad.headers.get('x-request-id');
    expect(badId).toMatch(UUID);
    const badLine = t.logs.find((l) => l.msg === 'request' && l.request_id === badId);
    expect(badLine).not.toHaveProperty('client_request_id');
  });

  it('answers CORS preflights for the configured origins only', async () => {
    const t = buildTestApp('api', { CORS_ORIGINS: ['https://app.example.com'] });
    const preflight = (origin: string) =>
      t.request('/health', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization',
        },
      });
    const allowed = await preflight('https://app.example.com');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
    const other = await preflight('https://evil.example.net');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a configured origin with CORS headers, others and non-browsers without', async () => {
    const t = buildTestApp('api', { CORS_ORIGINS: ['https://app.example.com'] });
    const get = (headers: Record<string, string>) => t.request('/health', { headers });
    const cors = (res: Response) => ({
      status: res.status,
      allow: res.headers.get('access-control-allow-origin'),
      expose: res.headers.get('access-control-expose-headers'),
      vary: res.headers.get('vary'),
      requestId: res.headers.get('x-request-id') !== null,
    });
    expect(cors(await get({ origin: 'https://app.example.com' }))).toEqual({
      status: 200,
      allow: 'https://app.example.com',
      expose: 'x-request-id,retry-after,ratelimit,ratelimit-policy',
      vary: 'Origin',
      requestId: true,
    });
    // The answer differs by Origin, so every answer says so to caches.
    const bare = { status: 200, allow: null, expose: null, vary: 'Origin', requestId: true };
    expect(cors(await get({ origin: 'https://evil.example.net' }))).toEqual(bare);
    expect(cors(await get({}))).toEqual(bare);

    const open = buildTestApp('api', { CORS_ORIGINS: ['*'] });
    const any = await open.request('/health', { headers: { origin: 'https://any.example.org' } });
    expect(cors(any)).toMatchObject({ allow: '*', vary: null });
    // A problem answer carries them too: a browser must be able to read the error.
    const refused = await t.request('/users/me', {
      headers: { origin: 'https://app.example.com' },
    });
    expect(cors(refused)).toMatchObject({ status: 401, allow: 'https://app.example.com' });
  });

  it('writes one structured access log line per request, without credentials', async () => {
    // The made-up bearer token is refused (401), and appears nowhere in the logs.
    const t = appWithRoutes();
    await t.request('/health?token=abc', {
      headers: { authorization: 'Bearer secret-token-value' },
    });
    const access = t.logs.filter((l) => l.msg === 'request');
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({
      level: 'info',
      fn: 'api',
      method: 'GET',
      path: '/api/health',
      status: 401,
    });
    expect(JSON.stringify(t.logs)).not.toContain('secret-token-value');
  });
});
