import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGateway } from '../../scripts/local/gateway.ts';
import { buildTestApp } from '../helpers/app.ts';

// The gateway over real HTTP: fetch() itself refuses to send TRACE, so node:http does.

let server: ServerType;
let port = 0;

beforeAll(async () => {
  const gateway = createGateway({
    functions: { api: buildTestApp('api').app },
    jwtRequired: new Set(),
    verifyJwt: async () => ({}),
    services: { '/auth/v1': () => Response.json({ ok: true }) },
  });
  server = serve({ fetch: gateway.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((ready) => server.once('listening', () => ready()));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((done) => server.close(() => done()));
});

function send(method: string, path: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('the local gateway and HTTP methods', () => {
  it.each([['/functions/v1/api/health'], ['/auth/v1/settings'], ['/']])(
    'answers TRACE %s with 405 in its own shape, printing nothing',
    async (path) => {
      const errors = vi.spyOn(console, 'error');
      const res = await send('TRACE', path);
      expect(res.status).toBe(405);
      expect(res.headers['content-type']).toContain('application/json');
      expect(res.headers.allow).toBe('GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS');
      expect(JSON.parse(res.body)).toEqual({
        code: 'METHOD_NOT_ALLOWED',
        message: 'Method not allowed',
      });
      expect(errors).not.toHaveBeenCalled();
    },
  );

  it('refuses other methods Supabase does not forward the same way', async () => {
    const res = await send('PROPFIND', '/functions/v1/api/health');
    expect(res.status).toBe(405);
    expect(JSON.parse(res.body).code).toBe('METHOD_NOT_ALLOWED');
  });

  it('still forwards the methods functions serve', async () => {
    const res = await send('GET', '/functions/v1/api/health');
    expect(res.status).toBe(200);
  });
});
