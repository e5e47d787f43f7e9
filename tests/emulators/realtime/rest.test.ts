import { beforeAll, describe, expect, it } from 'vitest';
import { ANON, SERVICE, until, useRealtimeEmulator } from '../../helpers/realtime.ts';

// REST broadcast's answers, as Realtime gives them: 202, and its errors.
const h = useRealtimeEmulator({ maxPayloadSizeKb: 1 });
const WRITER = '00000000-0000-4000-8000-0000000000bb';

beforeAll(async () => {
  await h.db.sql.unsafe(`
    -- only WRITER may send on the private "desk" topic
    create policy desk_write on realtime.messages for insert to authenticated
      with check (realtime.topic() = 'desk' and auth.uid() = '${WRITER}');
  `);
});

const post = (path: string, init: { headers?: Record<string, string>; body?: BodyInit }) =>
  fetch(`${h.httpUrl}${path}`, {
    method: 'POST',
    ...init,
    headers: { apikey: ANON, 'content-type': 'application/json', ...init.headers },
  });

describe('REST broadcast', () => {
  it('refuses calls without the API key or with a token that does not verify', async () => {
    const res = await fetch(`${h.httpUrl}/api/broadcast`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: 'No API key found in request' });
    const bad = await post('/api/broadcast', {
      headers: { authorization: 'Bearer nope' },
      body: '{}',
    });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ message: 'Unauthorized' });
  });

  it('validates the batch and its payload size', async () => {
    const empty = await post('/api/broadcast', { body: '{}' });
    expect(empty.status).toBe(422);
    expect(await empty.json()).toEqual({ errors: { messages: ["can't be blank"] } });
    const big = await post('/api/broadcast', {
      body: JSON.stringify({
        messages: [
          { topic: 't', event: 'e', payload: { s: 'x'.repeat(2000) } },
          { event: 'e', payload: {} },
        ],
      }),
    });
    expect(big.status).toBe(422);
    expect(await big.json()).toEqual({
      errors: {
        messages: [
          { payload: ['Payload size exceeds tenant limit'] },
          { topic: ["can't be blank"] },
        ],
      },
    });
  });

  it('sends on a private topic only with an insert policy', async () => {
    const writer = await h.token({ sub: WRITER });
    const other = await h.token({ sub: '00000000-0000-4000-8000-0000000000cc' });
    const path = '/api/broadcast/desk/events/note?private=true';
    const denied = await post(path, { headers: { authorization: `Bearer ${other}` }, body: '{}' });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ message: 'Unauthorized' });
    const ok = await post(path, { headers: { authorization: `Bearer ${writer}` }, body: '{}' });
    expect(ok.status).toBe(202);
    const service = await post(path, {
      headers: { authorization: `Bearer ${SERVICE}` },
      body: '{}',
    });
    expect(service.status).toBe(202);
  });

  it('refuses a body that is neither JSON nor bytes', async () => {
    const res = await post('/api/broadcast/t/events/e', {
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({
      error: 'Unsupported Media Type. Use application/json or application/octet-stream',
    });
  });

  it('delivers a JSON body that is not an object under _json, as Phoenix parses it', async () => {
    const seen: unknown[] = [];
    const ch = h.client('2.0.0').channel('arr');
    ch.on('broadcast', { event: 'list' }, (p) => seen.push(p));
    let status = '';
    ch.subscribe((s) => {
      status = s;
    });
    await until(() => status === 'SUBSCRIBED');
    expect((await post('/api/broadcast/arr/events/list', { body: '[1,2]' })).status).toBe(202);
    await until(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ event: 'list', payload: { _json: [1, 2] } });
  });
});
