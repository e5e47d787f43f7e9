import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBrowser } from '../helpers/chromium.ts';
import { type ApiCall, apiAs, createUser, signIn } from '../helpers/console.ts';
import { useLocalStack } from '../helpers/stack.ts';

// Projects, sharing and history through the console in a real Chromium; what the console
// shows is checked against what the API says afterwards.
const h = useLocalStack();
const browser = useBrowser();

const ADA = 'ada@example.com';
const GRACE = 'grace@example.com';
let ids: { ada: string; grace: string };
let ada: ApiCall;
let grace: ApiCall;

beforeAll(async () => {
  const url = h.stack.gatewayUrl;
  ids = { ada: await createUser(url, ADA), grace: await createUser(url, GRACE) };
  ada = await apiAs(url, ADA);
  grace = await apiAs(url, GRACE);
});

type Project = { id: string; name: string; role: string | null; owner_id: string };

const rows = (page: Page, selector: string) => page.locator(selector).count();

/** Waits until exactly `n` elements match (a list re-rendered after a navigation). */
const countOf = (page: Page, selector: string, n: number) =>
  page.waitForFunction(
    ([sel, count]) => document.querySelectorAll(sel as string).length === count,
    [selector, n] as const,
  );

describe('console projects', () => {
  it('pages through projects, creates, renames and deletes one, with a bearer token', async () => {
    for (let i = 1; i <= 21; i++) await ada('POST', '/projects', { name: `Seeded ${i}` });
    const page = await browser.page();
    const apiRequests: Array<Record<string, string>> = [];
    page.on('request', (req) => {
      if (req.url().includes('/functions/v1/api/')) apiRequests.push(req.headers());
    });
    await signIn(page, h.stack.gatewayUrl, ADA);

    // The list convention's pages: 20, then "Load more" for the rest.
    await page.locator('li[data-project]').first().waitFor();
    expect(await rows(page, 'li[data-project]')).toBe(20);
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.locator('li[data-project]').nth(20).waitFor();
    expect(await rows(page, 'li[data-project]')).toBe(21);
    await page.getByRole('button', { name: 'Load more' }).waitFor({ state: 'hidden' });

    await page.getByRole('searchbox', { name: 'Filter by name' }).fill('Seeded 2');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/\?q=Seeded%202$/);
    await countOf(page, 'li[data-project]', 3);
    const names = await page.locator('li[data-project] strong').allTextContents();
    expect(names.sort()).toEqual(['Seeded 2', 'Seeded 20', 'Seeded 21']);
    await page.getByRole('link', { name: 'Projects', exact: true }).click();

    const create = page.getByRole('form', { name: 'New project' });
    await create.getByLabel('Name').fill('Console demo');
    await create.getByRole('button', { name: 'Create project' }).click();
    await page.getByTestId('project-name').getByText('Console demo').waitFor();
    const id = new URL(page.url()).pathname.split('/').at(-1) ?? '';
    expect(((await ada('GET', `/projects/${id}`)) as Project).name).toBe('Console demo');

    // Markup in a name is text, never markup.
    const edit = page.getByRole('form', { name: 'Edit project' });
    await edit.getByLabel('Name').fill('Renamed <b>demo</b>');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('project-name').getByText('Renamed <b>demo</b>').waitFor();
    expect(await page.getByTestId('project-name').locator('b').count()).toBe(0);
    expect(((await ada('GET', `/projects/${id}`)) as Project).name).toBe('Renamed <b>demo</b>');

    const remove = page.getByRole('form', { name: 'Delete project' });
    await remove.getByLabel('Type the project’s name to confirm').fill('Renamed <b>demo</b>');
    await remove.getByRole('button', { name: 'Delete project' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    await expect(ada('GET', `/projects/${id}`)).rejects.toThrow(/404/);

    expect(apiRequests.length).toBeGreaterThan(4);
    for (const headers of apiRequests) {
      expect(headers.authorization).toMatch(/^Bearer ey/);
      expect(headers.cookie).toBeUndefined();
    }
    expect(browser.pageErrors).toEqual([]);
  });

  it('shares by email, changes a role, transfers ownership, and removes a member', async () => {
    const project = (await ada('POST', '/projects', { name: 'Shared' })) as Project;
    const page = await browser.page();
    await signIn(page, h.stack.gatewayUrl, ADA);
    await page.goto(`${h.stack.gatewayUrl}/console/projects/${project.id}/members`);

    const share = page.getByRole('form', { name: 'Share project' });
    await share.getByLabel('Email').fill(GRACE);
    await share.getByLabel('Role').selectOption('editor');
    await share.getByRole('button', { name: 'Share' }).click();
    const graceRow = page.locator(`li[data-member="${ids.grace}"]`);
    await graceRow.locator('[data-role="editor"]').waitFor();
    expect(((await grace('GET', `/projects/${project.id}`)) as Project).role).toBe('editor');

    await graceRow.getByLabel('Role').selectOption('viewer');
    await graceRow.locator('[data-role="viewer"]').waitFor();
    expect(((await grace('GET', `/projects/${project.id}`)) as Project).role).toBe('viewer');

    // Grace, in a browser of her own, sees it shared with her as a viewer.
    const gracePage = await browser.page();
    await signIn(gracePage, h.stack.gatewayUrl, GRACE);
    const shared = gracePage.locator(`li[data-project="${project.id}"]`);
    await shared.waitFor();
    expect(await shared.locator('.badge').textContent()).toBe('viewer');

    await graceRow.getByRole('button', { name: 'Make owner' }).click();
    await page.locator(`li[data-member="${ids.grace}"] [data-role="owner"]`).waitFor();
    await page.locator(`li[data-member="${ids.ada}"] [data-role="editor"]`).waitFor();
    expect(((await ada('GET', `/projects/${project.id}`)) as Project).owner_id).toBe(ids.grace);

    // Now the owner, Grace removes Ada; Ada no longer sees the project.
    await gracePage.goto(`${h.stack.gatewayUrl}/console/projects/${project.id}/members`);
    const adaRow = gracePage.locator(`li[data-member="${ids.ada}"]`);
    await adaRow.getByRole('button', { name: 'Remove' }).click();
    await adaRow.waitFor({ state: 'detached' });
    await expect(ada('GET', `/projects/${project.id}`)).rejects.toThrow(/404/);
    await page.reload();
    await page.getByRole('alert').getByText('Project not found').waitFor();
    expect(browser.pageErrors).toEqual([]);
  });

  it('shows the conversation history page by page, newest first, as text', async () => {
    const project = (await ada('POST', '/projects', { name: 'Chatty' })) as Project;
    const base = `/projects/${project.id}/messages`;
    await ada('POST', base, { content: '<img src=x onerror="window.hacked=1">' });
    await ada('POST', base, { content: 'void main() => runApp(App());', kind: 'code' });
    for (let i = 3; i <= 21; i++) await ada('POST', base, { content: `Message ${i}` });

    const page = await browser.page();
    await signIn(page, h.stack.gatewayUrl, ADA);
    await page.goto(`${h.stack.gatewayUrl}/console/projects/${project.id}/history`);
    await page.locator('li[data-message]').first().waitFor();
    expect(await rows(page, 'li[data-message]')).toBe(20);
    expect(await page.locator('li[data-message] .content').first().textContent()).toBe(
      'Message 21',
    );
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.locator('li[data-message]').nth(20).waitFor();
    const oldest = page.locator('li[data-message]').last();
    expect(await oldest.locator('.content').textContent()).toBe(
      '<img src=x onerror="window.hacked=1">',
    );
    expect(await oldest.locator('img').count()).toBe(0);
    expect(await page.locator('li[data-message] pre code').first().textContent()).toBe(
      'void main() => runApp(App());',
    );

    const compose = page.getByRole('form', { name: 'New message' });
    await compose.getByLabel('Message').fill('Posted from the console');
    await compose.getByRole('button', { name: 'Post' }).click();
    await page.locator('li[data-message] .content').getByText('Posted from the console').waitFor();
    const history = (await ada('GET', `${base}?order=desc&limit=1`)) as {
      data: Array<{ content: string; author_id: string }>;
    };
    expect(history.data[0]).toMatchObject({
      content: 'Posted from the console',
      author_id: ids.ada,
    });
    expect(await page.evaluate(() => (window as { hacked?: number }).hacked)).toBeUndefined();
    expect(browser.pageErrors).toEqual([]);
  });
});
