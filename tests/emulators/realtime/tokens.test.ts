import type { RealtimeChannel } from '@supabase/realtime-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { until, useRealtimeEmulator } from '../../helpers/realtime.ts';

// Time-based behaviour, decided by the emulator's clock: token expiry, token swaps, revoked
// access, and sockets that stop sending.
const h = useRealtimeEmulator();
const USER = '00000000-0000-4000-8000-000000000001';

function watch(channel: RealtimeChannel) {
  const seen = { status: '', system: [] as Array<{ status: string; message: string }> };
  channel.on('system', {}, (p) => seen.system.push(p));
  channel.subscribe((s) => {
    seen.status = s;
  });
  return seen;
}

beforeAll(async () => {
  await h.db.sql.unsafe(`
    create table public.rt_members (user_id uuid primary key);
    -- members may read and write the "club" channel
    create policy club_read on realtime.messages for select to authenticated
      using (realtime.topic() = 'club'
             and exists (select 1 from public.rt_members m where m.user_id = auth.uid()));
    grant select on public.rt_members to authenticated;
  `);
});

describe('tokens', () => {
  it('ends a channel when its token expires, unless access_token brought a fresh one', async () => {
    const lapsing = watch(h.client('2.0.0', await h.token({ sub: USER }, 30)).channel('t1'));
    const refreshedClient = h.client('1.0.0', await h.token({ sub: USER }, 30));
    const refreshedChannel = refreshedClient.channel('t1', {
      config: { broadcast: { ack: true } },
    });
    const refreshed = watch(refreshedChannel);
    await until(() => lapsing.status === 'SUBSCRIBED' && refreshed.status === 'SUBSCRIBED');
    h.clock.advance(10_000);
    await refreshedClient.setAuth(await h.token({ sub: USER }, 60));
    // An acknowledged broadcast is answered after the token swap (one socket, in order).
    expect(await refreshedChannel.send({ type: 'broadcast', event: 'sync', payload: {} })).toBe(
      'ok',
    );
    h.clock.advance(21_000);
    await h.emulator.tick();
    await until(() => lapsing.status === 'CLOSED', 5000, 'the lapsed channel to close');
    expect(lapsing.system).toContainEqual({
      extension: 'system',
      status: 'error',
      message: 'Token has expired 1 seconds ago',
      channel: 't1',
    });
    expect(refreshed.status).toBe('SUBSCRIBED');
    expect(refreshed.system).toEqual([]);
  });

  it('refuses a join with an expired token with the server message', async () => {
    const token = await h.token({ sub: USER }, 5);
    h.clock.advance(8000);
    const seen = h.client('2.0.0', token).channel('t2');
    const err = await new Promise<Error | undefined>((done) =>
      seen.subscribe((s, e) => s === 'CHANNEL_ERROR' && done(e)),
    );
    expect(err?.message).toMatch(/^InvalidJWTToken: Token has expired [3-9] seconds ago$/);
  });

  it('stops a private channel whose reader lost access once a new token arrives', async () => {
    await h.db.sql`insert into public.rt_members values (${USER})`;
    const client = h.client('2.0.0', await h.token({ sub: USER }));
    const club = watch(client.channel('club', { config: { private: true } }));
    await until(() => club.status === 'SUBSCRIBED');
    await h.db.sql`delete from public.rt_members where user_id = ${USER}`;
    h.clock.advance(1000);
    await client.setAuth(await h.token({ sub: USER }));
    await until(() => club.status === 'CLOSED', 5000, 'the channel to close');
    expect(club.system.map((m) => m.message)).toEqual([
      'You do not have permissions to read from this Channel topic: club',
    ]);
  });

  it('drops a silent socket after the heartbeat timeout, and its presence leaves', async () => {
    const quiet = await h.raw('2.0.0');
    const awake = await h.raw('2.0.0');
    const config = (key: string) => ({ config: { presence: { enabled: true, key } } });
    quiet.send(['1', '1', 'realtime:lobby', 'phx_join', config('quiet')]);
    awake.send(['1', '1', 'realtime:lobby', 'phx_join', config('awake')]);
    await quiet.next((f) => (f.data as unknown[])[3] === 'presence_state');
    await awake.next((f) => (f.data as unknown[])[3] === 'presence_state');
    quiet.send(['1', '2', 'realtime:lobby', 'presence', { event: 'track', payload: { at: 1 } }]);
    await awake.next((f) => JSON.stringify(f.data).includes('"joins":{"quiet"'));
    h.clock.advance(61_000);
    awake.send([null, '3', 'phoenix', 'heartbeat', {}]);
    await awake.next((f) => (f.data as unknown[])[1] === '3');
    await h.emulator.tick();
    expect(await quiet.closed).toBe(1006);
    const leave = (await awake.next((f) =>
      JSON.stringify(f.data).includes('"leaves":{"quiet"'),
    )) as [
      null,
      null,
      string,
      string,
      { leaves: Record<string, { metas: Array<Record<string, unknown>> }> },
    ];
    expect(leave[4].leaves.quiet?.metas).toEqual([{ at: 1, phx_ref: expect.any(String) }]);
  });
});
