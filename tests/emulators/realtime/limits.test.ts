import type { RealtimeChannel } from '@supabase/realtime-js';
import { beforeEach, describe, expect, it } from 'vitest';
import { until, useRealtimeEmulator } from '../../helpers/realtime.ts';

// Realtime's limits, set low here: past one, the client gets the server's own error and the
// emulator keeps serving everyone else. The clock is manual, so a "second" lasts until the
// test moves it.
const h = useRealtimeEmulator({
  maxEventsPerSecond: 20,
  maxConnectionEventsPerSecond: 40,
  maxChannelsPerClient: 2,
  maxJoinsPerSecond: 6,
  maxPayloadSizeKb: 1,
});

beforeEach(() => h.clock.advance(1000));

function joined(channel: RealtimeChannel): Promise<void> {
  return new Promise((ok, fail) =>
    channel.subscribe((s, err) => (s === 'SUBSCRIBED' ? ok() : s !== 'CLOSED' && fail(err ?? s))),
  );
}

describe('Realtime limits', () => {
  it('stops a client flooding a channel with the server error, and keeps serving others', async () => {
    const flooder = h.client('2.0.0').channel('flood');
    const system: Array<{ message?: string; status?: string }> = [];
    flooder.on('system', {}, (p) => system.push(p));
    let status = '';
    flooder.subscribe((s) => {
      status = s;
    });
    await until(() => status === 'SUBSCRIBED');
    const listener = h.client('1.0.0').channel('calm');
    const heard: unknown[] = [];
    listener.on('broadcast', { event: '*' }, (p) => heard.push(p));
    await joined(listener);
    const speaker = h.client('2.0.0').channel('calm');
    await joined(speaker);

    for (let i = 0; i < 500; i++) {
      flooder.send({ type: 'broadcast', event: 'spam', payload: { i, pad: 'x'.repeat(100) } });
    }
    await until(() => status === 'CLOSED', 5000, 'the flooder to be stopped');
    expect(system).toContainEqual(
      expect.objectContaining({ status: 'error', message: 'Too many messages per second' }),
    );
    // Frames past the limit were dropped on arrival, not queued.
    expect(h.emulator.stats().dropped).toBeGreaterThan(400);
    await speaker.send({ type: 'broadcast', event: 'still', payload: { ok: true } });
    await until(() => heard.length === 1, 5000, 'the other clients to be served');
    expect(heard[0]).toMatchObject({ event: 'still', payload: { ok: true } });
  });

  it('refuses a channel past the per-connection limit with the server error', async () => {
    const client = h.client('2.0.0');
    await joined(client.channel('one'));
    await joined(client.channel('two'));
    await expect(joined(client.channel('three'))).rejects.toThrow(
      'ChannelRateLimitReached: Too many channels',
    );
  });

  it('refuses joins past the per-second limit, and accepts them again the next second', async () => {
    const client = h.client('2.0.0');
    const errors: string[] = [];
    for (let i = 0; i < 7; i++) {
      const other = i < 6 ? h.client('2.0.0') : client;
      await joined(other.channel(`j${i}`)).catch((e: Error) => errors.push(e.message));
    }
    expect(errors).toEqual(['ClientJoinRateLimitReached: Too many joins per second']);
    h.clock.advance(1000);
    await joined(h.client('2.0.0').channel('next-second'));
  });

  it('answers an acknowledged broadcast over the payload limit with an error', async () => {
    const ch = h.client('1.0.0').channel('big', { config: { broadcast: { ack: true } } });
    await joined(ch);
    expect(await ch.send({ type: 'broadcast', event: 'x', payload: { s: 'y'.repeat(2000) } })).toBe(
      'error',
    );
    expect(await ch.send({ type: 'broadcast', event: 'x', payload: { s: 'small' } })).toBe('ok');
  });
});
