import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Chromium flags for a machine with no network and no GPU: nothing phones home, nothing
 * waits for a first-run dialog. Playwright adds `--headless` and a fresh, throwaway
 * `--user-data-dir` of its own on every launch.
 */
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The Chromium binary that `@sparticuz/chromium` ships as a brotli archive, unpacked once
 * per version and user into the temp directory (about 6 s the first time, nothing after).
 *
 * The package unpacks into `os.tmpdir()` and takes whatever it finds there as done, even a
 * half-written file of a run that was killed. So it runs in a child process whose TMPDIR is
 * a fresh staging directory, which is renamed into place only once complete; concurrent
 * test files race harmlessly, the first rename wins.
 */
export async function chromiumPath(): Promise<string> {
  const pkg = JSON.parse(
    await readFile(join(ROOT, 'node_modules/@sparticuz/chromium/package.json'), 'utf8'),
  ) as { version: string };
  const dir = join(tmpdir(), `sparticuz-chromium-${pkg.version}-${process.getuid?.() ?? 'user'}`);
  const done = join(dir, '.unpacked');
  if (existsSync(done)) return join(dir, 'chromium');
  const staging = await mkdtemp(`${dir}.staging-`);
  try {
    await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const { default: c } = await import('@sparticuz/chromium'); await c.executablePath();",
      ],
      { cwd: ROOT, env: { ...process.env, TMPDIR: staging } },
    );
    await writeFile(join(staging, '.unpacked'), '');
    await rename(staging, dir).catch((err: unknown) => {
      if (!existsSync(done)) throw err; // another test file unpacked it first
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return join(dir, 'chromium');
}

export interface BrowserHarness {
  /** A page in a fresh context (its own localStorage and cookies), closed after the file. */
  page(): Promise<Page>;
  /** Uncaught errors and Content-Security-Policy refusals seen by any page of this file. */
  readonly pageErrors: string[];
}

/**
 * One headless Chromium for a test file, launched before its tests and closed after them.
 *
 * @example
 * const browser = useBrowser();
 * it('signs in', async () => {
 *   const page = await browser.page();
 *   await page.goto(`${url}/console/`);
 * });
 */
export function useBrowser(): BrowserHarness {
  let browser: Browser | undefined;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: await chromiumPath(),
      headless: true,
      args: ARGS,
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  return {
    pageErrors,
    async page() {
      if (!browser) throw new Error('the browser runs only inside tests and hooks');
      const context = await browser.newContext();
      const page = await context.newPage();
      // A failing wait names its locator well before the test's own timeout.
      page.setDefaultTimeout(10_000);
      page.on('pageerror', (err) => pageErrors.push(err.message));
      page.on('console', (message) => {
        if (message.type() === 'error' && message.text().includes('Content Security Policy'))
          pageErrors.push(message.text());
      });
      return page;
    },
  };
}
