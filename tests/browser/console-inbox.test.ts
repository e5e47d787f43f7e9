import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBrowser } from '../helpers/chromium.ts';
import { type ApiCall, apiAs, createUser, signIn } from '../helpers/console.ts';
import { useLocalStack } from '../helpers/stack.ts';

// The WhatsApp inbox through the console in a real Chromium, against the stack with its
// worker: a client writes in through the Graph API emulator's inbound route and the open
// inbox shows it live; the team replies, sees the statuses move, opens a photo, and sends a
// template to a client who never wrote.
const h = useLocalStack({}, { worker: { env: { POLL_INTERVAL_S: '0.5', LOG_LEVEL: 'silent' } } });
const browser = useBrowser();

const ADA = 'ada@example.com';
const VIEWER = 'grace@example.com';
const PHONE_NUMBER_ID = '106540352242922';
let ada: ApiCall;
let projectId: string;

type ListPage<T> = { data: T[] };
type Client = { id: string; name: string; phone: string };
type Message = { id: string; direction: string; body: string | null; status: string };

beforeAll(async () => {
  await createUser(h.stack.gatewayUrl, ADA);
  ada = await apiAs(h.stack.gatewayUrl, ADA);
  projectId = ((await ada('POST', '/projects', { name: 'Front desk' })) as { id: string }).id;
  await ada('POST', `/projects/${projectId}/channels`, {
    phone_number_id: PHONE_NUMBER_ID,
    name: 'Front desk',
    access_token: 'EAA-local',
  });
  await ada('POST', `/projects/${projectId}/templates`, {
    name: 'appointment_reminder',
    language: 'es_ES',
    kind: 'template',
    body: 'Hola {{1}}, su cita es mañana.',
    parameters: [{ name: '1' }],
  });
});

/** A message "from a WhatsApp user", posted by the emulator to the webhook, signed. */
async function inbound(message: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${h.stack.gatewayUrl}/graph/_emulator/inbound`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone_number_id: PHONE_NUMBER_ID, ...message }),
  });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { webhook_status: number }).webhook_status).toBe(200);
}

const live = (page: Page) =>
  page.locator('[data-testid="live"][data-state="SUBSCRIBED"]').waitFor();
const consolePath = (path: string) => `${h.stack.gatewayUrl}/console/projects/${projectId}${path}`;

describe('console inbox', () => {
  it('shows an inbound message live, replies, follows its statuses, and opens a photo', async () => {
    const page = await browser.page();
    await signIn(page, h.stack.gatewayUrl, ADA);
    await page.goto(consolePath('/inbox'));
    await page.getByText('No clients yet.').waitFor();
    await live(page);

    await inbound({ from: '+34 611 222 333', name: 'Amina', text: 'Hola, ¿está lista mi cita?' });
    const row = page.locator('li[data-client]');
    await row.getByTestId('preview').getByText('Hola, ¿está lista mi cita?').waitFor();
    const [client] = ((await ada('GET', `/projects/${projectId}/clients`)) as ListPage<Client>)
      .data;
    expect(client).toMatchObject({ name: 'Amina', phone: '+34611222333' });
    expect(await row.getAttribute('data-client')).toBe(client?.id);

    await row.getByRole('link', { name: 'Amina' }).click();
    await page.getByTestId('client-phone').getByText('+34611222333').waitFor();
    const first = page.locator('li[data-direction="in"] .content');
    expect(await first.textContent()).toBe('Hola, ¿está lista mi cita?');
    await live(page);

    const reply = page.getByRole('form', { name: 'Reply' });
    await reply.getByLabel('Message').fill('Sí, mañana a las 10.');
    await reply.getByRole('button', { name: 'Send' }).click();
    const out = page.locator('li[data-direction="out"]');
    await out.getByText('Sí, mañana a las 10.').waitFor();
    // The emulator reports sent, delivered and read; each arrives on the open page.
    await page.locator('li[data-direction="out"][data-status="read"]').waitFor({ timeout: 20_000 });
    const timeline = (await ada(
      'GET',
      `/projects/${projectId}/clients/${client?.id}/timeline`,
    )) as ListPage<Message & { entry: string }>;
    const sent = timeline.data.find((e) => e.direction === 'out');
    expect(sent).toMatchObject({ body: 'Sí, mañana a las 10.', status: 'read' });
    expect(await out.getAttribute('data-entry')).toBe(sent?.id);

    // A photo written in while the page is open: it lands, is kept in Storage, and opens.
    await inbound({ from: '+34 611 222 333', type: 'image', image: { caption: 'Mi pasaporte' } });
    const photo = page.locator('li[data-direction="in"]', { hasText: 'Mi pasaporte' });
    await photo.locator('.media[data-state="stored"]').waitFor({ timeout: 20_000 });
    await photo.getByRole('button', { name: 'Open file' }).click();
    const image = photo.locator('img.media-image');
    await image.waitFor();
    await page.waitForFunction(
      () => (document.querySelector('img.media-image') as HTMLImageElement | null)?.complete,
    );
    expect(await image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);
    expect(await image.getAttribute('src')).toContain('/storage/v1/object/sign/documents/');

    // Search by name, phone or email.
    await page.goto(consolePath('/inbox?q=611222'));
    await page.locator(`li[data-client="${client?.id}"]`).waitFor();
    await page.goto(consolePath('/inbox?q=nobody'));
    await page.getByText('No client matches.').waitFor();
    expect(browser.pageErrors).toEqual([]);
  });

  it('offers only templates to a client who never wrote, and sends one', async () => {
    const page = await browser.page();
    await signIn(page, h.stack.gatewayUrl, ADA);
    await page.goto(consolePath('/clients'));
    const add = page.getByRole('form', { name: 'New client' });
    await add.getByLabel('Phone').fill('+44 20 7946 0018');
    await add.getByLabel('Name').fill('Grace');
    await add.getByRole('button', { name: 'Add client' }).click();
    await page.getByTestId('client-name').getByText('Grace').waitFor();
    await page.getByTestId('window-closed').waitFor();
    expect(await page.getByRole('form', { name: 'Reply' }).count()).toBe(0);

    const send = page.getByRole('form', { name: 'Send a template' });
    await send.getByLabel('Template').selectOption({ label: 'appointment_reminder (es_ES)' });
    await send.getByLabel('{{1}}').fill('Grace');
    await send.getByRole('button', { name: 'Send template' }).click();
    const out = page.locator('li[data-direction="out"]');
    await out.waitFor();
    await page.locator('li[data-direction="out"][data-status="read"]').waitFor({ timeout: 20_000 });
    const clientId = new URL(page.url()).pathname.split('/').at(-1);
    const timeline = (await ada(
      'GET',
      `/projects/${projectId}/clients/${clientId}/timeline`,
    )) as ListPage<Message & { type: string }>;
    expect(timeline.data.find((e) => e.direction === 'out')).toMatchObject({
      type: 'template',
      status: 'read',
    });

    // A viewer reads the same timeline and is offered no way to send.
    const viewerId = await createUser(h.stack.gatewayUrl, VIEWER);
    await ada('POST', `/projects/${projectId}/members`, { user_id: viewerId, role: 'viewer' });
    const viewer = await browser.page();
    await signIn(viewer, h.stack.gatewayUrl, VIEWER);
    await viewer.goto(consolePath(`/clients/${clientId}`));
    await viewer.locator('li[data-direction="out"][data-status="read"]').waitFor();
    await viewer.getByText('Viewers read; owners and editors reply.').waitFor();
    expect(await viewer.getByRole('form', { name: 'Send a template' }).count()).toBe(0);
    expect(await viewer.getByLabel('Client status').isDisabled()).toBe(true);
    expect(browser.pageErrors).toEqual([]);
  });

  it("shows the project's numbers and templates; the owner connects and removes, a viewer reads", async () => {
    const page = await browser.page();
    await signIn(page, h.stack.gatewayUrl, ADA);
    await page.goto(consolePath(''));
    await page.getByRole('link', { name: 'WhatsApp' }).click();
    await page.locator('li[data-channel]', { hasText: 'Front desk' }).waitFor();
    await page.locator('li[data-template]', { hasText: 'appointment_reminder' }).waitFor();

    const add = page.getByRole('form', { name: 'Add a template' });
    await add.getByLabel('Name').fill('order_ready');
    await add.getByLabel('Language').fill('es_ES');
    await add.getByLabel('Body').fill('Hola {{1}}, su pedido {{order}} está listo, {{1}}.');
    await add.getByRole('button', { name: 'Add template' }).click();
    const added = page.locator('li[data-template]', { hasText: 'order_ready' });
    await added.waitFor();
    const templates = (await ada('GET', `/projects/${projectId}/templates`)) as ListPage<{
      name: string;
      parameters: Array<{ name: string }>;
    }>;
    expect(templates.data.find((t) => t.name === 'order_ready')?.parameters).toEqual([
      { name: '1' },
      { name: 'order' },
    ]);

    const token = 'EAA-secret-never-shown';
    const connect = page.getByRole('form', { name: 'Connect a number' });
    await connect.getByLabel('Name').fill('Second desk');
    await connect.getByLabel('Phone number id').fill('106540352242999');
    await connect.getByLabel('Access token').fill(token);
    await connect.getByRole('button', { name: 'Connect' }).click();
    const second = page.locator('li[data-channel]', { hasText: 'Second desk' });
    await second.waitFor();
    expect(await page.content()).not.toContain(token);

    // The classifier's rules, as lines; a line without a colon is refused before sending.
    const classifier = page.getByRole('form', { name: 'Classifier' });
    await classifier.getByLabel('Rules').fill('asylum: asylum, refugee\nnot a rule');
    await classifier.getByRole('button', { name: 'Save rules' }).click();
    await classifier.getByRole('alert').getByText('Line 2').waitFor();
    await classifier
      .getByLabel('Rules')
      .fill('asylum: asylum, refugee, international protection\n\nwork_permit: work permit');
    await classifier.getByLabel('Threshold').fill('0.75');
    await classifier.getByRole('button', { name: 'Save rules' }).click();
    await classifier.locator('button:not([disabled])', { hasText: 'Save rules' }).waitFor();
    expect(await classifier.getByRole('alert').count()).toBe(0);
    expect(await ada('GET', `/projects/${projectId}/classifier`)).toEqual({
      threshold: 0.75,
      rules: [
        { profile_type: 'asylum', terms: ['asylum', 'refugee', 'international protection'] },
        { profile_type: 'work_permit', terms: ['work permit'] },
      ],
    });

    // A viewer reads both lists and is offered nothing to change.
    const lin = 'lin@example.com';
    const linId = await createUser(h.stack.gatewayUrl, lin);
    await ada('POST', `/projects/${projectId}/members`, { user_id: linId, role: 'viewer' });
    const viewer = await browser.page();
    await signIn(viewer, h.stack.gatewayUrl, lin);
    await viewer.goto(consolePath('/whatsapp'));
    await viewer.locator('li[data-template]', { hasText: 'order_ready' }).waitFor();
    await viewer.locator('li[data-channel]', { hasText: 'Second desk' }).waitFor();
    expect(await viewer.getByRole('button', { name: 'Remove' }).count()).toBe(0);
    expect(await viewer.getByRole('form').count()).toBe(0);
    expect(await viewer.getByLabel('Rules').inputValue()).toBe(
      'asylum: asylum, refugee, international protection\nwork_permit: work permit',
    );
    expect(await viewer.getByLabel('Rules').getAttribute('readonly')).toBe('');

    await added.getByRole('button', { name: 'Remove' }).click();
    await added.waitFor({ state: 'detached' });
    page.once('dialog', (dialog) => void dialog.accept());
    await second.getByRole('button', { name: 'Remove' }).click();
    await second.waitFor({ state: 'detached' });
    const channels = (await ada('GET', `/projects/${projectId}/channels`)) as ListPage<{
      name: string;
    }>;
    expect(channels.data.map((c) => c.name)).toEqual(['Front desk']);
    expect(browser.pageErrors).toEqual([]);
  });

  it('imports clients from CSV: all or nothing, the valid ones, and a large file by the worker', async () => {
    const imports = ((await ada('POST', '/projects', { name: 'Imports' })) as { id: string }).id;
    const clients = async () =>
      ((await ada('GET', `/projects/${imports}/clients?limit=100`)) as ListPage<Client>).data;
    const page = await browser.page();
    await signIn(page, h.stack.gatewayUrl, ADA);
    await page.goto(`${h.stack.gatewayUrl}/console/projects/${imports}/clients`);
    const panel = page.getByRole('form', { name: 'Import clients' });
    const send = async (csv: string, mode: string) => {
      await panel.getByLabel('CSV file').setInputFiles({
        name: 'clients.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(csv),
      });
      await panel.getByLabel('Rows').selectOption(mode);
      await panel.getByRole('button', { name: 'Import' }).click();
      const report = page.locator('[data-import]');
      await page.locator('[data-import]:not([data-status="pending"])').waitFor({ timeout: 30_000 });
      return report;
    };

    const csv = 'phone,name\n+34 611 000 001,Amina\nnot a phone,Bilal\n+34 611 000 003,Chen\n';
    const rejected = await send(csv, 'all');
    expect(await rejected.getAttribute('data-status')).toBe('rejected');
    expect(await rejected.getByRole('list', { name: 'Problems' }).textContent()).toContain(
      'Row 3, phone',
    );
    expect(await clients()).toEqual([]);

    const partial = await send(csv, 'partial');
    expect(await partial.getAttribute('data-status')).toBe('succeeded');
    expect(await partial.textContent()).toContain('2 imported, 0 duplicates, 1 invalid');
    await page.locator('li', { hasText: 'Chen' }).waitFor();
    expect((await clients()).map((c) => c.name).sort()).toEqual(['Amina', 'Chen']);

    // Past the size imported during the request (256 KiB): the worker imports it, and the
    // page follows it to its end.
    const rows = Array.from(
      { length: 12_000 },
      (_, i) => `+34 7${String(i).padStart(8, '0')},Row ${i}`,
    );
    const large = await send(`phone,name\n${rows.join('\n')}\n`, 'partial');
    expect(await large.getAttribute('data-status')).toBe('succeeded');
    expect(await large.textContent()).toContain('12000 imported');
    const run = (await ada(
      'GET',
      `/projects/${imports}/imports/${await large.getAttribute('data-import')}`,
    )) as { bytes: number; imported: number };
    expect(run.bytes).toBeGreaterThan(256 * 1024);
    expect(run.imported).toBe(12_000);
    expect(browser.pageErrors).toEqual([]);
  });
});
