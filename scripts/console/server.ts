import { readFile, realpath } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';

/** Where the console's files live: plain ES modules, HTML and CSS, served as they are. */
const WEB_ROOT = fileURLToPath(new URL('./web/', import.meta.url));

/**
 * supabase-js's browser build: one classic script that defines `window.supabase`. Found
 * through Node's resolution, so it is the very version the rest of the stack uses.
 */
const SUPABASE_BROWSER_BUILD = join(
  dirname(createRequire(import.meta.url).resolve('@supabase/supabase-js')),
  'umd',
  'supabase.js',
);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/**
 * Only the console's own files run and load: no inline script or style, no other origin.
 * `data:` images are the QR codes of MFA enrolment; `connect-src 'self'` covers the API and
 * Realtime's WebSocket on the same host.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const HEADERS = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  // Served from the working tree: an edit shows on the next reload.
  'cache-control': 'no-cache',
};

export interface ConsoleOptions {
  /** The public anon key the console hands to supabase-js. */
  anonKey: string;
  /** Where the console is mounted on the gateway. */
  basePath?: string;
}

export interface ConsoleApp {
  fetch: (request: Request) => Response | Promise<Response>;
}

/**
 * The console (a web app to see the system work) as a service of the local gateway. It
 * serves its files, `config.json` (the anon key; the API URL is the page's own origin) and
 * supabase-js's browser build. Any other path without a file extension is a route of the
 * single-page app and gets `index.html`.
 *
 * @example
 * services: { '/console': createConsoleApp({ anonKey: env.ANON_KEY }).fetch }
 */
export function createConsoleApp(opts: ConsoleOptions): ConsoleApp {
  const base = opts.basePath ?? '/console';
  const app = new Hono().basePath(base);

  app.get('/config.json', (c) => c.json({ anon_key: opts.anonKey, base_path: base }, 200, HEADERS));
  app.get('/vendor/supabase.js', () => file(SUPABASE_BROWSER_BUILD));
  app.get('/*', async (c) => {
    const path = c.req.path.slice(base.length) || '/';
    if (path === '/' && !c.req.path.endsWith('/')) return c.redirect(`${base}/`, 308);
    if (!extname(path)) return file(join(WEB_ROOT, 'index.html'));
    const target = await inside(WEB_ROOT, path);
    return target ? file(target) : notFound();
  });
  app.all('/*', () => new Response('Method not allowed', { status: 405, headers: HEADERS }));
  app.notFound(notFound);
  return { fetch: app.fetch };
}

/** The real path of `path` under `root`, or undefined when it leaves the root or is missing. */
async function inside(root: string, path: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  try {
    const real = await realpath(join(root, decoded));
    const realRoot = await realpath(root);
    return real.startsWith(realRoot + sep) ? real : undefined;
  } catch {
    return undefined;
  }
}

async function file(path: string): Promise<Response> {
  try {
    const body = await readFile(path);
    const type = TYPES[extname(path)] ?? 'application/octet-stream';
    return new Response(body, { headers: { ...HEADERS, 'content-type': type } });
  } catch {
    return notFound();
  }
}

const notFound = () =>
  new Response('Not found', {
    status: 404,
    headers: { ...HEADERS, 'content-type': 'text/plain; charset=utf-8' },
  });
