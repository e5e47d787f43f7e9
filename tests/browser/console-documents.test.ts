import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBrowser } from '../helpers/chromium.ts';
import { type ApiCall, apiAs, createUser, signIn } from '../helpers/console.ts';
import { useLocalStack } from '../helpers/stack.ts';
import { until } from '../helpers/worker.ts';

// A client's documents and the project's analytics through the console in a real Chromium,
// against the stack with its worker: what the page shows is checked against the API.
const h = useLocalStack({}, { worker: { env: { POLL_INTERVAL_S: '0.5', LOG_LEVEL: 'silent' } } });
const browser = useBrowser();

const ADA = 'ada@example.com';
const PHONE_NUMBER_ID = '106540352242922';
const PDF = Buffer.from('%PDF-1.4\n% a passport scan\n%%EOF\n');
let ada: ApiCall;
let adaId: string;
let projectId: string;
let clientId: string;

type Doc = { id: string; file_name: string; status: string; status_changed_by: string | null };

beforeAll(async () => {
  const url = h.stack.gatewayUrl;
  adaId = await createUser(url, ADA);
  ada = await apiAs(url, ADA);
  projectId = ((await ada('POST', '/projects', { name: 'Desk' })) as { id: string }).id;
  await ada('POST', `/projects/${projectId}/channels`, {
    phone_number_id: PHONE_NUMBER_ID,
    name: 'Desk',
    access_token: 'EAA-local',
  });
  const written = await fetch(`${url}/graph/_emulator/inbound`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      phone_number_id: PHONE_NUMBER_ID,
      from: '+34 611 000 111',
      text: 'Hola',
    }),
  });
  expect(written.status).toBe(200);
  const clients = await until(
    () => ada('GET', `/projects/${projectId}/clients`) as Promise<{ data: Array<{ id: string }> }>,
    (page) => page.data.length === 1,
    15_000,
    'the client who wrote',
  );
  clientId = clients.data[0]?.id ?? '';
  await ada('POST', `/projects/${projectId}/clients/${clientId}/messages`, {
    type: 'text',
    text: 'Buenos días',
  });
});

const docs = async () =>
  ((await ada('GET', `/projects/${projectId}/clients/${clientId}/documents`)) as { data: Doc[] })
    .data;

describe('console documents and analytics', () => {
  it('uploads, opens, verifies and deletes a client document', async () => {
    const page = await browser.page();
    await signIn(page, h.stack.gatewayUrl, ADA);
    await page.goto(`${h.stack.gatewayUrl}/console/projects/${projectId}/clients/${clientId}`);
    await page.getByText('No documents yet.').waitFor();

    const upload = page.getByRole('form', { name: 'Upload a document' });
    const file = upload.getByLabel('File');
    await file.setInputFiles({ name: 'passport.pdf', mimeType: 'application/pdf', buffer: PDF });
    await upload.getByRole('button', { name: 'Upload' }).click();
    const row = page.locator('li[data-document]', { hasText: 'passport.pdf' });
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('pending');

    // A file whose bytes are not what its type says is refused, and nothing is added.
    await file.setInputFiles({
      name: 'fake.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('not a pdf'),
    });
    await upload.getByRole('button', { name: 'Upload' }).click();
    await upload.getByRole('alert').waitFor();
    expect((await docs()).map((d) => d.file_name)).toEqual(['passport.pdf']);

    await row.getByLabel('Document status').selectOption('verified');
    await page.locator('li[data-document][data-status="verified"]').waitFor();
    const [stored] = await docs();
    expect(stored).toMatchObject({ status: 'verified', status_changed_by: adaId });

    await page.locator('li[data-document]').getByRole('button', { name: 'Open' }).click();
    const href = await page.getByRole('link', { name: 'Download' }).getAttribute('href');
    expect(href).toContain('/storage/v1/object/sign/documents/');
    const download = await fetch(href ?? '');
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(PDF);

    await file.setInputFiles({
      name: 'old.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('old'),
    });
    await upload.getByRole('button', { name: 'Upload' }).click();
    const old = page.locator('li[data-document]', { hasText: 'old.txt' });
    await old.getByRole('button', { name: 'Delete' }).click();
    await old.waitFor({ state: 'detached' });
    expect((await docs()).map((d) => d.file_name)).toEqual(['passport.pdf']);
    expect(browser.pageErrors).toEqual([]);
  });

  it('charts messages, response times, clients and documents as the API counts them', async () => {
    const base = `/projects/${projectId}/analytics`;
    const messages = (await ada('GET', `${base}/messages`)) as {
      total_in: number;
      total_out: number;
      days: Array<{ day: string; in: number; out: number }>;
    };
    const times = (await ada('GET', `${base}/response-times`)) as { responses: number };
    const clients = (await ada('GET', `${base}/clients`)) as { total: number };
    const documents = (await ada('GET', `${base}/documents`)) as { total: number };
    expect([messages.total_in, messages.total_out, clients.total]).toEqual([1, 1, 1]);

    const page = await browser.page();
    await signIn(page, h.stack.gatewayUrl, ADA);
    await page.goto(`${h.stack.gatewayUrl}/console/projects/${projectId}`);
    await page.getByRole('link', { name: 'Analytics' }).click();
    await page.getByTestId('total-in').waitFor();
    const text = (id: string) => page.getByTestId(id).textContent();
    expect(await text('total-in')).toBe(String(messages.total_in));
    expect(await text('total-out')).toBe(String(messages.total_out));
    expect(await text('responses')).toBe(String(times.responses));
    expect(await text('clients-total')).toBe(String(clients.total));
    expect(await text('documents-total')).toBe(String(documents.total));
    // The day of the messages has its two columns, and each of the 30 days its own.
    const busy = messages.days.find((d) => d.in > 0);
    const columns = page.locator(
      `svg[aria-label="Messages per day"] rect[data-label="${busy?.day}"]`,
    );
    expect(
      await columns.evaluateAll((bars) => bars.map((b) => b.getAttribute('data-value'))),
    ).toEqual([String(busy?.in), String(busy?.out)]);
    expect(await page.locator('rect[data-series="received"]').count()).toBe(30);

    // Another range: one day long, before anything happened.
    const range = page.getByRole('form', { name: 'Range' });
    await range.getByLabel('From').fill('2026-01-01');
    await range.getByLabel('To').fill('2026-01-01');
    await range.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/\?from=2026-01-01&to=2026-01-01$/);
    await page.waitForFunction(
      () => document.querySelectorAll('rect[data-series="received"]').length === 1,
    );
    expect(await text('total-in')).toBe('0');
    expect(browser.pageErrors).toEqual([]);
  });

  // Last: it erases the client the other tests read.
  it("exports a client's data as a JSON file, then erases the client", async () => {
    const page = await browser.page();
    await signIn(page, h.stack.gatewayUrl, ADA);
    await page.goto(`${h.stack.gatewayUrl}/console/projects/${projectId}/clients/${clientId}`);
    const panel = page.getByRole('region', { name: 'Personal data' });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      panel.getByRole('button', { name: 'Export data' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`client-${clientId}.json`);
    const exported = JSON.parse(await readFile(await download.path(), 'utf8'));
    expect(exported.client).toMatchObject({ id: clientId, phone: '+34611000111' });
    expect(exported.messages.map((m: { direction: string }) => m.direction)).toEqual(['in', 'out']);
    expect(exported.documents.map((d: { file_name: string }) => d.file_name)).toEqual([
      'passport.pdf',
    ]);

    // Dismissed, the confirmation erases nothing; accepted, it erases the client.
    page.once('dialog', (dialog) => void dialog.dismiss());
    await panel.getByRole('button', { name: 'Erase client' }).click();
    // Enabled again once the click's work is done, whatever it sent.
    await panel.locator('button:not([disabled])', { hasText: 'Erase client' }).waitFor();
    expect(await docs()).toHaveLength(1);
    page.once('dialog', (dialog) => void dialog.accept());
    await panel.getByRole('button', { name: 'Erase client' }).click();
    await page.waitForURL(new RegExp(`/console/projects/${projectId}/clients$`));
    const left = (await ada('GET', `/projects/${projectId}/clients`)) as { data: unknown[] };
    expect(left.data).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });
});
