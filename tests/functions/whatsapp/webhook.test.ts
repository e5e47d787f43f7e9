import { describe, expect, it } from 'vitest';
import { signatureHeader } from '../../../shared/whatsapp/signature.ts';
import { contacts, delivery, inboundExamples, status, wamid } from '../../fixtures/whatsapp.ts';
import { buildTestApp } from '../../helpers/app.ts';
import { APP_SECRET, useCrmApi, VERIFY_TOKEN } from '../api/crm/helpers.ts';

// Meta's webhook as Meta calls it: the handshake, then signed deliveries. The limit of
// unsigned requests is low here, so the flood test reaches it quickly.
const fx = useCrmApi({ unsignedLimit: 5 });
const sql = () => fx.auth.db.sql;

async function post(body: string, headers: Record<string, string>, ip = '198.51.100.7') {
  const res = await fx.call('whatsapp', '/webhook', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip, ...headers },
    // Not `json`, which would re-serialise: the signature covers these exact bytes.
    body,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

const signed = async (body: string, secret = APP_SECRET) => ({
  'x-hub-signature-256': await signatureHeader(secret, body),
});

async function counts() {
  const [row] = await sql()`
    select (select count(*)::int from private.whatsapp_intake) as items,
           (select count(*)::int from private.whatsapp_deliveries) as deliveries,
           (select count(*)::int from pgboss.job where name = 'whatsapp.intake') as jobs`;
  return row!;
}

describe('GET /webhook: the subscription handshake', () => {
  it('echoes the challenge for the verify token, and refuses anything else with 403', async () => {
    const ok = await fx.call(
      'whatsapp',
      `/webhook?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`,
    );
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    for (const query of [
      'hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1',
      `hub.mode=unsubscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`,
      `hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}`,
    ]) {
      const res = await fx.call('whatsapp', `/webhook?${query}`, {
        headers: { 'x-forwarded-for': '198.51.100.99' },
      });
      expect(res.status).toBe(403);
      expect((await res.json()).code).toBe('forbidden');
    }
  });
});

describe('POST /webhook', () => {
  it('stores a signed delivery and queues its processing once; a replay or a retry adds nothing', async () => {
    const message = inboundExamples.text;
    const id = wamid();
    const raw = JSON.stringify(
      delivery({ contacts, messages: [message], statuses: [status(id, 'delivered')] }),
    );
    const before = await counts();
    const first = await post(raw, await signed(raw));
    expect(first).toMatchObject({ status: 200, body: { items: 2, stored: 2 } });
    expect(await counts()).toEqual({
      items: before.items + 2,
      deliveries: before.deliveries + 1,
      jobs: before.jobs + 1,
    });
    const [kept] = await sql()`
      select body from private.whatsapp_deliveries
       where sha256 = sha256(convert_to(${raw}, 'UTF8'))`;
    expect(Buffer.from(kept!.body).toString('utf8')).toBe(raw);
    const [job] = await sql()`
      select data from pgboss.job where name = 'whatsapp.intake' order by created_on desc limit 1`;
    expect(job!.data).toEqual({ keys: [`message:${message.id}`, `status:${id}:delivered`] });

    // The same bytes and signature again (Meta's retry, or someone replaying a capture).
    const replay = await post(raw, await signed(raw));
    expect(replay).toMatchObject({ status: 200, body: { items: 2, stored: 0 } });
    // The same items in other bytes (another delivery carrying them again).
    const reshaped = JSON.stringify(JSON.parse(raw), null, 2);
    const retried = await post(reshaped, await signed(reshaped));
    expect(retried).toMatchObject({ status: 200, body: { items: 2, stored: 0 } });
    expect(await counts()).toEqual({
      items: before.items + 2,
      deliveries: before.deliveries + 1,
      jobs: before.jobs + 1,
    });
  });

  it('answers 401 to no signature, a wrong one and one byte altered, and stores nothing', async () => {
    const raw = JSON.stringify(delivery({ contacts, messages: [inboundExamples.image] }));
    const before = await counts();
    const genuine = await signed(raw);
    const altered = raw.replace('Broken on arrival', 'Broken on arrivaL');
    expect(altered).toHaveLength(raw.length);
    const cases: Array<[string, Record<string, string>]> = [
      [raw, {}],
      [raw, await signed(raw, 'another-app-secret')],
      [raw, { 'x-hub-signature-256': 'sha256=zz' }],
      [altered, genuine],
    ];
    for (const [body, headers] of cases) {
      const res = await post(body, headers, '198.51.100.20');
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 'unauthorized' });
    }
    expect(await counts()).toEqual(before);
  });

  it('limits unsigned requests per address, never signed ones', async () => {
    const raw = JSON.stringify(delivery({ contacts, messages: [inboundExamples.location] }));
    const flood = '203.0.113.50';
    for (let i = 0; i < 5; i++) expect((await post(raw, {}, flood)).status).toBe(401);
    const limited = await post(raw, {}, flood);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Meta's signed deliveries from that very address still go through.
    expect((await post(raw, await signed(raw), flood)).status).toBe(200);
    // Another address has its own count.
    expect((await post(raw, {}, '203.0.113.51')).status).toBe(401);
  });

  it('keeps a signed body it cannot read, for an operator, and answers 200', async () => {
    const raw = '{"object":"page","entry":[{"id":"1","changes":[]}]}';
    const res = await post(raw, await signed(raw));
    expect(res).toMatchObject({ status: 200, body: { items: 0, stored: 0 } });
    const [row] = await sql()`
      select parsed from private.whatsapp_deliveries where sha256 = sha256(convert_to(${raw}, 'UTF8'))`;
    expect(row).toEqual({ parsed: false });
  });
});

describe('the webhook without its settings, and its log', () => {
  it('refuses every delivery with 503 when the app secret is not set', async () => {
    const { request } = buildTestApp('whatsapp');
    const res = await request('/webhook', { method: 'POST', body: '{}' });
    expect(res.status).toBe(503);
    const handshake = await request(
      '/webhook?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1',
    );
    expect(handshake.status).toBe(503);
  });

  it('logs a refused signature with its reason and address, never the body', async () => {
    const { request, logs } = buildTestApp('whatsapp', { WHATSAPP_APP_SECRET: APP_SECRET });
    const raw = JSON.stringify(delivery({ contacts, messages: [inboundExamples.text] }));
    const res = await request('/webhook', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.1' },
      body: raw,
    });
    expect(res.status).toBe(401);
    const refused = logs.find((l) => l.msg === 'webhook request refused');
    expect(refused).toMatchObject({ reason: 'no_signature', ip: '192.0.2.1', status: 401 });
    expect(JSON.stringify(logs)).not.toContain('another color');
  });
});
