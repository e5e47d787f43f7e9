import { beforeAll, describe, expect, it } from 'vitest';
import { useBrowser } from '../helpers/chromium.ts';
import { type ApiCall, apiAs, createUser, signIn } from '../helpers/console.ts';
import { useLocalStack } from '../helpers/stack.ts';
import { slowFlutter } from '../helpers/worker.ts';

// Generations through the console in a real Chromium, against the stack with its worker
// (the simulated Flutter toolchain, the LLM emulator): start one and watch it to its Result,
// cancel one that is running, and read past ones again.
const { bin, slow } = slowFlutter();
const h = useLocalStack(
  {},
  {
    worker: {
      env: { FLUTTER_BIN: bin, POLL_INTERVAL_S: '0.5', KILL_GRACE_S: '1', LOG_LEVEL: 'silent' },
    },
  },
);
const browser = useBrowser();

const ADA = 'ada@example.com';
let ada: ApiCall;

beforeAll(async () => {
  await createUser(h.stack.gatewayUrl, ADA);
  ada = await apiAs(h.stack.gatewayUrl, ADA);
});

type Generation = { id: string; status: string; result: { files: string[] } | null };

describe('console generations', () => {
  it('creates a project, starts a generation and shows its events live to the Result', async () => {
    const page = await browser.page();
    await signIn(page, h.stack.gatewayUrl, ADA);
    const create = page.getByRole('form', { name: 'New project' });
    await create.getByLabel('Name').fill('Todo app');
    await create.getByRole('button', { name: 'Create project' }).click();
    await page.getByTestId('project-name').getByText('Todo app').waitFor();

    await page.getByRole('link', { name: 'Generations' }).click();
    const start = page.getByRole('form', { name: 'Start a generation' });
    await start.getByLabel('What should the app do?').fill('A todo list app');
    await start.getByRole('button', { name: 'Start generation' }).click();
    await page.waitForURL(/\/generations\/[0-9a-f-]{36}$/);
    const id = new URL(page.url()).pathname.split('/').at(-1) ?? '';

    const result = page.getByTestId('result');
    await result.waitFor({ timeout: 60_000 });
    expect(await result.getAttribute('data-status')).toBe('succeeded');
    expect(await page.getByTestId('generation-status').textContent()).toBe('succeeded');
    // What the page shows is what the API holds.
    const generation = (await ada('GET', `/generations/${id}`)) as Generation;
    expect(generation.status).toBe('succeeded');
    const shown = await result.locator('code.file').allTextContents();
    expect(shown).toEqual(generation.result?.files);
    expect(shown.length).toBeGreaterThan(0);
    // The toolchain's output, step by step, with its escape sequences taken out.
    expect(await page.locator('pre.terminal[data-step="build"]').count()).toBe(1);
    const output = (await page.locator('pre.terminal').allTextContents()).join('');
    expect(output).not.toContain('\u001b[');
    // Followed on the Realtime channel (not the fallback stream), and left once it ended.
    expect(await page.getByTestId('live').getAttribute('data-joined')).toBe('true');
    expect(await page.getByTestId('live').getAttribute('data-state')).toBe('ended');
    expect(browser.pageErrors).toEqual([]);
  });

  it('cancels a running generation, and lists and replays past ones', async () => {
    const project = (await ada('POST', '/projects', { name: 'Slow app' })) as { id: string };
    const done = (await ada('POST', `/projects/${project.id}/generations`, {
      prompt: 'A counter',
    })) as Generation;
    const page = await browser.page();
    await signIn(page, h.stack.gatewayUrl, ADA);
    await page.goto(`${h.stack.gatewayUrl}/console/projects/${project.id}/generations/${done.id}`);
    await page.getByTestId('result').waitFor({ timeout: 60_000 });

    slow('build');
    const running = (await ada('POST', `/projects/${project.id}/generations`, {
      prompt: 'A slow build',
    })) as Generation;
    await page.goto(
      `${h.stack.gatewayUrl}/console/projects/${project.id}/generations/${running.id}`,
    );
    await page.locator('pre.terminal[data-step="build"]').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Cancel generation' }).click();
    const result = page.getByTestId('result');
    await result.waitFor({ timeout: 30_000 });
    expect(await result.getAttribute('data-status')).toBe('cancelled');
    expect(((await ada('GET', `/generations/${running.id}`)) as Generation).status).toBe(
      'cancelled',
    );
    slow('none');

    // Past generations, newest first, filtered by status.
    await page.getByRole('link', { name: 'Generations', exact: true }).first().click();
    await page.locator('li[data-generation]').nth(1).waitFor();
    const ids = await page
      .locator('li[data-generation]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-generation')));
    expect(ids).toEqual([running.id, done.id]);
    await page.getByLabel('Status').selectOption('cancelled');
    await page.waitForURL(/\?status=cancelled$/);
    await page.waitForFunction(() => document.querySelectorAll('li[data-generation]').length === 1);
    expect(await page.locator('li[data-generation]').getAttribute('data-generation')).toBe(
      running.id,
    );

    // An ended generation is replayed whole: its events and its Result.
    await page.goto(`${h.stack.gatewayUrl}/console/projects/${project.id}/generations/${done.id}`);
    await page.getByTestId('result').waitFor();
    expect(await page.getByTestId('result').getAttribute('data-status')).toBe('succeeded');
    expect(await page.locator('li.event.status').count()).toBeGreaterThan(1);
    expect(browser.pageErrors).toEqual([]);
  });

  it('follows the SSE stream when the Realtime channel cannot be joined', async () => {
    const project = (await ada('POST', '/projects', { name: 'No socket' })) as { id: string };
    const page = await browser.page();
    // Realtime's socket is refused, as a proxy that drops WebSockets would.
    await page.routeWebSocket(/\/realtime\/v1\//, (ws) => ws.close({ code: 1011 }));
    await signIn(page, h.stack.gatewayUrl, ADA);
    slow('build');
    const generation = (await ada('POST', `/projects/${project.id}/generations`, {
      prompt: 'A clock',
    })) as Generation;
    await page.goto(
      `${h.stack.gatewayUrl}/console/projects/${project.id}/generations/${generation.id}`,
    );
    await page.locator('[data-testid="live"][data-state="stream"]').waitFor({ timeout: 30_000 });
    slow('none');
    await page.getByTestId('result').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('result').getAttribute('data-status')).toBe('succeeded');
    expect(await page.getByTestId('live').getAttribute('data-joined')).toBeNull();
    // Every event once, in order, as the API holds them.
    const seqs = await page
      .locator('li.event[data-seq]')
      .evaluateAll((items) => items.map((i) => Number(i.getAttribute('data-seq'))));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  });
});
