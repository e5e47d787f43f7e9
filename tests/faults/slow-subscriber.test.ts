import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { connect } from 'node:net';
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_ANON_KEY, DEMO_SERVICE_ROLE_KEY } from '../../scripts/local/keys.ts';
import type { GenerationEvent } from '../../shared/generations/events.ts';
import { appClient } from '../helpers/browser.ts';
import { useLocalStack } from '../helpers/stack.ts';
import { ended, until } from '../helpers/worker.ts';
import { expectAllEnded, settledEmpty, signUp } from './system.ts';
import { faultToolchain } from './toolchain.ts';

// A Realtime subscriber that stops reading its socket, on the channel of a running generation
// and on a busy public topic: the emulator cuts it off once it has buffered its limit for it
// (Realtime's contract: a client that does not keep up is disconnected), while the worker's
// job runs on and a client that reads gets every event of it.
// `pub get` takes about 6 s: the job runs while the subscriber is flooded.
const toolchain = faultToolchain({ slowScale: 4 });
const BUFFER = 1024 * 1024;
const h = useLocalStack(
  { GOTRUE_MAILER_AUTOCONFIRM: 'true', REALTIME_MAX_BUFFERED_BYTES: String(BUFFER) },
  { worker: { env: { ...toolchain.env, POLL_INTERVAL_S: '0.5', LOG_LEVEL: 'silent' } } },
);

// Closed before the stack stops (hooks after run last-registered first), which waits for them.
let reader: SupabaseClient | undefined;
let stalled: Socket | undefined;
afterAll(() => {
  reader?.realtime.disconnect();
  stalled?.destroy();
});

/** A masked WebSocket text frame, as a client sends it (the mask is all zeros). */
function textFrame(text: string): Buffer {
  const data = Buffer.from(text);
  const head =
    data.length < 126
      ? Buffer.from([0x81, 0x80 | data.length])
      : Buffer.from([0x81, 0x80 | 126, data.length >> 8, data.length & 0xff]);
  return Buffer.concat([head, Buffer.alloc(4), data]);
}

/**
 * A Realtime client (protocol 2.0.0) on a bare TCP socket, joined to `topics`, that then
 * stops reading. Bare, because the test run's HTTP interception wraps the sockets of WebSocket
 * clients, and a wrapped socket goes on reading when paused.
 */
async function stalledSubscriber(token: string, topics: Array<[string, boolean]>) {
  const { port } = new URL(h.stack.gatewayUrl);
  const socket = connect(Number(port), '127.0.0.1');
  stalled = socket;
  const closed = new Promise<void>((done) => socket.once('close', () => done()));
  socket.on('error', () => {});
  await new Promise((ready) => socket.once('connect', ready));
  socket.write(
    `GET /realtime/v1/websocket?apikey=${DEMO_ANON_KEY}&vsn=2.0.0 HTTP/1.1\r\n` +
      `Host: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  const answer = await new Promise<string>((got) => socket.once('data', (d) => got(String(d))));
  expect(answer).toMatch(/^HTTP\/1\.1 101/);
  const channels = h.stack.realtime.stats().channels;
  for (const [i, [topic, priv]] of topics.entries()) {
    const ref = String(i + 1);
    const config = { broadcast: { self: false }, private: priv };
    socket.write(
      textFrame(
        JSON.stringify([
          ref,
          ref,
          `realtime:${topic}`,
          'phx_join',
          { config, access_token: token },
        ]),
      ),
    );
  }
  await until(
    async () => h.stack.realtime.stats().channels,
    (n) => n === channels + topics.length,
    10_000,
    'the joins',
  );
  socket.pause();
  return { socket, closed };
}

describe('a slow Realtime subscriber', () => {
  it('is cut off; others and the job go on', async () => {
    const user = await signUp(h.stack.gatewayUrl);
    const project = await user.project('Slow');
    toolchain.set('pub', 'slow');
    const id = await user.generate(project, 'a chess clock');

    // One that reads, as an app does.
    reader = appClient(h.stack.gatewayUrl, { vsn: '2.0.0' });
    await reader.realtime.setAuth(user.token);
    const seen: GenerationEvent[] = [];
    const channel = reader.channel(`generation:${id}`, { config: { private: true } });
    channel.on('broadcast', { event: '*' }, ({ payload }) => seen.push(payload as GenerationEvent));
    await new Promise<void>((ok, fail) =>
      channel.subscribe((status, err) =>
        status === 'SUBSCRIBED' ? ok() : status !== 'CLOSED' && err ? fail(err) : undefined,
      ),
    );

    // One that stops reading.
    const slow = await stalledSubscriber(user.token, [
      [`generation:${id}`, true],
      ['busy-topic', false],
    ]);
    const before = h.stack.realtime.stats().connections;
    // The busy topic: 250 KB messages until the server drops the socket, which takes more
    // than the kernel's socket buffers hold (tens of MB on loopback) plus the server's limit.
    const payload = { blob: 'x'.repeat(250_000) };
    let sent = 0;
    while (h.stack.realtime.stats().connections === before && sent < 600) {
      const res = await fetch(`${h.stack.gatewayUrl}/realtime/v1/api/broadcast`, {
        method: 'POST',
        headers: {
          apikey: DEMO_SERVICE_ROLE_KEY,
          authorization: `Bearer ${DEMO_SERVICE_ROLE_KEY}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ messages: [{ topic: 'busy-topic', event: 'flood', payload }] }),
      });
      expect(res.status).toBe(202);
      sent++;
      // Within the channel's 100 messages a second.
      await new Promise((r) => setTimeout(r, 12));
    }
    expect(h.stack.realtime.stats().connections).toBe(before - 1);
    // The server closed it: once it reads again, it finds the end of its socket.
    slow.socket.resume();
    await slow.closed;

    toolchain.set('pub', 'fast');
    expect(await ended(h.db.sql, id, 30_000)).toMatchObject({ status: 'succeeded' });
    const all = await until(
      async () => seen,
      (s) => s.some((e) => e.type === 'Result'),
      10_000,
      'the Result to reach the reader',
    );
    // From its subscription on (what came before is replayed from GET …/events), every event
    // in order and none missing, up to the Result.
    const seqs = all.map((e) => e.seq);
    const first = seqs[0] ?? 1;
    expect(seqs).toEqual(seqs.map((_, i) => first + i));
    const [count] = await h.db.sql<{ n: number }[]>`
      select count(*)::int as n from public.generation_events where generation_id = ${id}`;
    expect(seqs.at(-1)).toBe(count?.n);
    await expectAllEnded(h.db.sql);
    expect(await settledEmpty(toolchain.processes)).toEqual([]);
  });
});
