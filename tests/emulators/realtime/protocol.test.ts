import { describe, expect, it } from 'vitest';
import { until, useRealtimeEmulator } from '../../helpers/realtime.ts';

// The Phoenix wire protocol as Realtime speaks it, frame by frame, in both serializers.
const h = useRealtimeEmulator();

const join = (topic: string, payload: unknown = {}, ref = '1') => ({
  v1: { topic, event: 'phx_join', payload, ref, join_ref: ref },
  v2: [ref, ref, topic, 'phx_join', payload],
});

describe('the handshake', () => {
  it('refuses a wrong apikey as the gateway does, and an unknown serializer', async () => {
    await expect(h.raw('2.0.0', 'not-a-key')).rejects.toThrow(/401/);
    await expect(h.raw('3.0.0' as '2.0.0')).rejects.toThrow(/403/);
  });
});

describe('vsn 2.0.0 frames', () => {
  it('answers heartbeats, unmatched topics, joins and leaves as Phoenix does', async () => {
    const s = await h.raw('2.0.0');
    s.send([null, '9', 'phoenix', 'heartbeat', {}]);
    expect(await s.next((f) => (f.data as unknown[])[1] === '9')).toEqual([
      null,
      '9',
      'phoenix',
      'phx_reply',
      { status: 'ok', response: {} },
    ]);
    s.send(['3', '3', 'realtime:nowhere', 'broadcast', {}]);
    expect(await s.next((f) => (f.data as unknown[])[1] === '3')).toEqual([
      '3',
      '3',
      'realtime:nowhere',
      'phx_reply',
      { status: 'error', response: { reason: 'unmatched topic' } },
    ]);
    s.send(join('realtime:room').v2);
    expect(await s.next((f) => (f.data as unknown[])[1] === '1')).toEqual([
      '1',
      '1',
      'realtime:room',
      'phx_reply',
      { status: 'ok', response: { postgres_changes: [] } },
    ]);
    s.send(['1', '2', 'realtime:room', 'phx_leave', {}]);
    expect(await s.next((f) => (f.data as unknown[])[3] === 'phx_close')).toEqual([
      '1',
      '1',
      'realtime:room',
      'phx_close',
      {},
    ]);
    expect(s.frames.map((f) => (f.data as unknown[])[1])).toContain('2');
  });

  it('closes the first channel when a topic is joined again, and ignores malformed frames', async () => {
    const s = await h.raw('2.0.0');
    s.send(join('realtime:twice', {}, '1').v2);
    await s.next((f) => (f.data as unknown[])[1] === '1');
    s.ws.send('not json');
    s.ws.send(Buffer.from([9, 9, 9]));
    s.send(join('realtime:twice', {}, '5').v2);
    await s.next((f) => (f.data as unknown[])[1] === '5');
    expect(s.frames.map((f) => f.data)).toContainEqual([
      '1',
      '1',
      'realtime:twice',
      'phx_close',
      {},
    ]);
  });

  it('refuses a topic without a name and a token that is not a JWT', async () => {
    const s = await h.raw('2.0.0');
    s.send(join('realtime:').v2);
    expect(await s.next((f) => (f.data as unknown[])[1] === '1')).toMatchObject([
      '1',
      '1',
      'realtime:',
      'phx_reply',
      { status: 'error', response: { reason: 'TopicNameRequired: You must provide a topic name' } },
    ]);
    s.send(join('realtime:room', { access_token: 'nope' }, '2').v2);
    expect(await s.next((f) => (f.data as unknown[])[1] === '2')).toMatchObject([
      '2',
      '2',
      'realtime:room',
      'phx_reply',
      {
        status: 'error',
        response: { reason: 'MalformedJWT: The token provided is not a valid JWT' },
      },
    ]);
  });

  it('carries binary broadcasts in user broadcast frames, and JSON ones to 1.0.0 clients', async () => {
    const sender = await h.raw('2.0.0');
    const v2 = await h.raw('2.0.0');
    const v1 = await h.raw('1.0.0');
    const config = { config: { broadcast: { self: false } } };
    for (const s of [sender, v2]) s.send(join('realtime:bin', config).v2);
    v1.send(join('realtime:bin', config).v1);
    for (const s of [sender, v2, v1]) await s.next(() => true);
    // kind 3: join_ref, ref, topic, event, metadata lengths, then encoding (0 binary, 1 JSON)
    const push = (event: string, encoding: number, data: Buffer) => {
      const [jr, ref, topic, ev] = ['1', '7', 'realtime:bin', event].map((x) => Buffer.from(x)) as [
        Buffer,
        Buffer,
        Buffer,
        Buffer,
      ];
      const head = Buffer.from([3, jr.length, ref.length, topic.length, ev.length, 0, encoding]);
      return Buffer.concat([head, jr, ref, topic, ev, data]);
    };
    sender.send(push('raw', 0, Buffer.from([1, 2, 3])));
    sender.send(push('json', 1, Buffer.from('{"a":1}')));
    const frame = (await v2.next((f) => f.binary)) as Buffer;
    // kind 4: topic, event, metadata lengths, encoding, then the bytes
    expect([...frame.subarray(0, 5)]).toEqual([4, 12, 3, 0, 0]);
    expect([...frame.subarray(5 + 12 + 3)]).toEqual([1, 2, 3]);
    expect(await v1.next((f) => (f.data as { event: string }).event === 'broadcast')).toEqual({
      topic: 'realtime:bin',
      event: 'broadcast',
      payload: { event: 'json', payload: { a: 1 }, type: 'broadcast' },
      ref: null,
    });
    await until(() => v2.frames.filter((f) => f.binary).length === 2);
    // 1.0.0 cannot represent the binary one: it never arrives there.
    expect(
      v1.frames.filter((f) => (f.data as { event: string }).event === 'broadcast'),
    ).toHaveLength(1);
  });
});

describe('vsn 1.0.0 frames', () => {
  it('are JSON objects without join_ref', async () => {
    const s = await h.raw('1.0.0');
    s.send({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: '4' });
    expect(await s.next(() => true)).toEqual({
      topic: 'phoenix',
      event: 'phx_reply',
      payload: { status: 'ok', response: {} },
      ref: '4',
    });
  });
});
