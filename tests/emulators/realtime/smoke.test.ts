import { describe, expect, it } from 'vitest';
import { until, useRealtimeEmulator } from '../../helpers/realtime.ts';

const h = useRealtimeEmulator();

describe.each(['1.0.0', '2.0.0'] as const)('smoke vsn %s', (vsn) => {
  it('joins and broadcasts to self', async () => {
    const client = h.client(vsn);
    const got: unknown[] = [];
    const ch = client.channel('room', { config: { broadcast: { self: true, ack: true } } });
    ch.on('broadcast', { event: 'hi' }, (p) => got.push(p));
    let status = '';
    ch.subscribe((s) => {
      status = s;
    });
    await until(() => status === 'SUBSCRIBED', 5000, 'subscribed');
    expect(await ch.send({ type: 'broadcast', event: 'hi', payload: { a: 1 } })).toBe('ok');
    await until(() => got.length === 1);
    expect(got[0]).toMatchObject({ event: 'hi', payload: { a: 1 } });
  });

  it('delivers realtime.send after commit', async () => {
    const client = h.client(vsn);
    const got: unknown[] = [];
    const ch = client.channel('db-room');
    ch.on('broadcast', { event: 'db' }, (p) => got.push(p));
    let status = '';
    ch.subscribe((s) => {
      status = s;
    });
    await until(() => status === 'SUBSCRIBED');
    await h.db.sql`select realtime.send('{"x":1}'::jsonb, 'db', 'db-room', false)`;
    await until(() => got.length === 1);
    expect(got[0]).toMatchObject({ event: 'db', payload: { x: 1 } });
  });
});
