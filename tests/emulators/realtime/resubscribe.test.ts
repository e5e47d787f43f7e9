import { beforeAll, expect, it } from 'vitest';
import { ChangeDispatcher } from '../../../scripts/emulators/realtime/changes/dispatch.ts';
import { Channel } from '../../../scripts/emulators/realtime/channel.ts';
import type { ChannelHost, RealtimeContext } from '../../../scripts/emulators/realtime/context.ts';
import { Hub, PresenceTracker } from '../../../scripts/emulators/realtime/hub.ts';
import { subscribeChanges } from '../../../scripts/emulators/realtime/join.ts';
import { bindingId, readJoinConfig } from '../../../scripts/emulators/realtime/join-config.ts';
import { WindowCounter } from '../../../scripts/emulators/realtime/limits.ts';
import type { Relation } from '../../../scripts/emulators/realtime/pgoutput.ts';
import { loadRealtimeSettings } from '../../../scripts/emulators/realtime/settings.ts';
import { ManualClock } from '../../helpers/clock.ts';
import { useTestDatabase } from '../../helpers/db.ts';

// A fresh token on a channel (`access_token`) makes Realtime check its Postgres Changes
// subscriptions again; the old ones stay until the new ones replace them. Here a change is
// dispatched while that check is under way, the interleaving a write committed during a
// token refresh meets.
const db = useTestDatabase();
let relation: Relation;

beforeAll(async () => {
  await db.sql.unsafe(`
    create table public.rt_open (id int primary key, body text);
    grant select on public.rt_open to anon, authenticated;
    alter publication supabase_realtime add table public.rt_open;
  `);
  const [row] = await db.sql`select 'public.rt_open'::regclass::oid::int as oid`;
  relation = {
    id: row?.oid as number,
    schema: 'public',
    table: 'rt_open',
    columns: [
      { name: 'id', typeOid: 23, key: true },
      { name: 'body', typeOid: 25, key: false },
    ],
  };
});

/** A joined channel on a socket that records what it is sent, over this file's database. */
function joinedChannel() {
  const clock = new ManualClock();
  const settings = loadRealtimeSettings();
  const hub = new Hub();
  const ctx: RealtimeContext = {
    db: db.sql,
    verifyJwt: async () => ({}),
    clock,
    settings,
    hub,
    presence: new PresenceTracker(hub),
    changes: new ChangeDispatcher(db.sql, settings.maxRecordBytes, () => {}),
    joins: new WindowCounter(clock, 1000, settings.maxJoinsPerSecond),
    restEvents: new WindowCounter(clock, 1000, settings.maxEventsPerSecond),
    users: new Set(),
    replicationAvailable: () => true,
    log: () => {},
  };
  const sent: Array<{ event: string; payload: Record<string, unknown> }> = [];
  const host: ChannelHost = {
    vsn: '1.0.0',
    tenantToken: 'anon',
    headers: {},
    send: (frame) => sent.push(JSON.parse(String(frame))),
    channelCount: () => 1,
    release: () => {},
    disconnect: () => {},
  };
  const config = readJoinConfig({
    config: { postgres_changes: [{ event: 'INSERT', schema: 'public', table: 'rt_open' }] },
  });
  const channel = new Channel(ctx, host, 'realtime:open', '1', config);
  channel.claims = { role: 'anon', exp: 4102444800 };
  channel.bindings = config.postgresChanges.map((p) => ({ ...p, id: bindingId(p) }));
  return { ctx, channel, sent };
}

it('delivers a change committed while a fresh token has the subscriptions checked again', async () => {
  const { ctx, channel, sent } = joinedChannel();
  await subscribeChanges(channel);
  const [row] = await db.sql`
    insert into rt_open values (1, 'during the swap')
    returning (pg_current_xact_id()::text::bigint % 4294967296)::int as xid`;
  // The token swap starts the check; the change is dispatched before it ends.
  const checking = subscribeChanges(channel);
  await ctx.changes.handle(
    { kind: 'insert', relation, row: ['1', 'during the swap'] },
    { xid: row?.xid as number, commitTime: Date.now() },
  );
  await checking;
  const changes = sent.filter((f) => f.event === 'postgres_changes');
  expect(changes.map((f) => (f.payload.data as { record: unknown }).record)).toEqual([
    { id: 1, body: 'during the swap' },
  ]);
  expect(sent.filter((f) => f.event === 'system').map((f) => f.payload.message)).toEqual([
    'Subscribed to PostgreSQL',
    'Subscribed to PostgreSQL',
  ]);
  expect(ctx.changes.size).toBe(1);
});
