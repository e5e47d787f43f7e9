import { describe, expect, it } from 'vitest';
import { createConsoleApp } from '../../scripts/console/server.ts';

// The console's file server, without a browser or a stack: what it serves, and what not.
const app = createConsoleApp({ anonKey: 'public-anon-key' });
const get = (path: string, method = 'GET') =>
  app.fetch(new Request(`http://127.0.0.1/console${path}`, { method }));

describe('console server', () => {
  it('serves the app shell for every route of the app, with a strict CSP', async () => {
    for (const path of [
      '/',
      '/projects',
      '/projects/3f9a1c2e/members',
      '/projects/3f9a1c2e/generations/5e6f7a8b',
      '/projects/3f9a1c2e/clients/6a1f0c9e',
      '/sign-in',
    ]) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await res.text()).toContain('<script type="module" src="/console/app.js">');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const bare = await app.fetch(new Request('http://127.0.0.1/console'));
    expect(bare.status).toBe(308);
    expect(bare.headers.get('location')).toBe('/console/');
  });

  it('serves its modules, its config and the browser build of supabase-js', async () => {
    const app = await get('/app.js');
    expect(app.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await app.text()).toContain("from './routes.js'");
    expect(await (await get('/config.json')).json()).toEqual({
      anon_key: 'public-anon-key',
      base_path: '/console',
    });
    const vendor = await get('/vendor/supabase.js');
    expect(vendor.status).toBe(200);
    // A classic script that defines the `supabase` global the app reads.
    expect((await vendor.text()).startsWith('var supabase=')).toBe(true);
  });

  it('serves nothing outside its folder, and no file that is not there', async () => {
    for (const path of [
      '/../server.ts',
      '/..%2fserver.ts',
      '/%2e%2e/server.ts',
      '/lib/..%2f..%2fserver.ts',
      '/%2e%2e%2f%2e%2e%2fpackage.json',
      '/missing.js',
      '/%00.js',
      '/%E0%A4%A.js',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).toBe('Not found');
    }
    expect((await get('/app.js', 'POST')).status).toBe(405);
  });
});
