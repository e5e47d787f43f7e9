import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { decodeJwt } from 'jose';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SERVICE_ROLE_KEY } from '../../scripts/local/keys.ts';
import { epochSeconds, systemClock } from '../../shared/clock.ts';
import type { Tx } from '../../shared/db/client.ts';
import { appClient } from '../helpers/browser.ts';
import { OffsetClock } from '../helpers/clock.ts';
import { PASSWORD } from '../helpers/people.ts';
import { ANON, until } from '../helpers/realtime.ts';
import { useLocalStack } from '../helpers/stack.ts';

// Supabase Realtime as an app meets it: supabase-js over a real WebSocket to `npm run dev`'s
// gateway, for both serializers. Realtime decides time by a clock the tests move ahead;
// access tokens live 30 s, so jumping to one's expiry stays within the heartbeat timeout.
const clock = new OffsetClock();
const h = useLocalStack({ GOTRUE_JWT_EXP: '30' }, { clock });
const url = () => h.stack.gatewayUrl;
const clients: SupabaseClient[] = [];
let n = 0;

/** A confirmed user, signed in on a supabase-js client speaking `vsn`. */
async function user(vsn: '1.0.0' | '2.0.0') {
  const email = `rt${++n}-${Date.now()}@example.com`;
  const admin = appClient(url(), { key: DEMO_SERVICE_ROLE_KEY });
  const created = await admin.auth.admin.createUser({
    email,
    password: PASSWORD,
    email_confirm: true,
  });
  expect(created.error).toBeNull();
  const client = appClient(url(), { vsn });
  clients.push(client);
  const { data, error } = await client.auth.signInWithPassword({ email, password: PASSWORD });
  expect(error).toBeNull();
  const token = data.session?.access_token as string;
  await client.realtime.setAuth(token);
  return { client, id: data.user?.id as string, token };
}

/** Writes as the user, as PostgREST would: role `authenticated`, the user's claims. */
async function asUser(sub: string, fn: (tx: Tx) => Promise<unknown>) {
  return (await h.db.sql.begin(async (tx) => {
    const claims = JSON.stringify({ sub, role: 'authenticated' });
    await tx`select set_config('role', 'authenticated', true),
                    set_config('request.jwt.claims', ${claims}, true)`;
    return fn(tx);
  })) as Array<Record<string, unknown>>;
}

/** Subscribes and resolves on SUBSCRIBED; rejects with the server's reason otherwise. */
function join(channel: RealtimeChannel): Promise<RealtimeChannel> {
  return new Promise((ok, fail) =>
    channel.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') ok(channel);
      else if (status !== 'CLOSED') fail(err ?? new Error(status));
    }),
  );
}

function collect(channel: RealtimeChannel, type: 'broadcast' | 'system', event?: string) {
  const got: Array<Record<string, unknown>> = [];
  const filter = type === 'system' ? ({} as { event: string }) : { event: event ?? '*' };
  channel.on(type as 'broadcast', filter, (p) => got.push(p));
  return got;
}

beforeAll(async () => {
  await h.db.sql.unsafe(`
    create table public.rt_notes (
      id bigint generated always as identity primary key,
      owner uuid not null default auth.uid(),
      body text not null
    );
    alter table public.rt_notes enable row level security;
    alter table public.rt_notes replica identity full;
    -- each user sees and writes only their own notes
    create policy rt_notes_own on public.rt_notes for all to authenticated
      using (owner = auth.uid()) with check (owner = auth.uid());
    grant all on public.rt_notes to authenticated;
    -- a private room "room:<uid>" is readable and writable by that user only
    create policy rt_room_read on realtime.messages for select to authenticated
      using (realtime.topic() = 'room:' || auth.uid()::text);
    create policy rt_room_write on realtime.messages for insert to authenticated
      with check (realtime.topic() = 'room:' || auth.uid()::text);
  `);
  // Published in a transaction of its own, as a migration after the table's would do.
  await h.db.sql`alter publication supabase_realtime add table public.rt_notes`;
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.removeAllChannels();
});

describe.each(['1.0.0', '2.0.0'] as const)('Realtime through the local stack, vsn %s', (vsn) => {
  it('broadcasts on a public channel, to self and with ack', async () => {
    const a = await user(vsn);
    const b = await user(vsn);
    const chA = a.client.channel('lobby', { config: { broadcast: { self: true, ack: true } } });
    const seenA = collect(chA, 'broadcast', 'hello');
    const chB = b.client.channel('lobby');
    const seenB = collect(chB, 'broadcast', 'hello');
    await join(chA);
    await join(chB);
    expect(await chA.send({ type: 'broadcast', event: 'hello', payload: { n: 1 } })).toBe('ok');
    await until(() => seenA.length === 1 && seenB.length === 1, 10_000, 'both to receive');
    expect(seenB[0]).toMatchObject({ type: 'broadcast', event: 'hello', payload: { n: 1 } });
  });

  it('broadcasts on a private channel its RLS policies open, and refuses a user without one', async () => {
    const a = await user(vsn);
    const topic = `room:${a.id}`;
    const ch = a.client.channel(topic, {
      config: { private: true, broadcast: { self: true, ack: true } },
    });
    const seen = collect(ch, 'broadcast', 'secret');
    await join(ch);
    expect(await ch.send({ type: 'broadcast', event: 'secret', payload: { ok: true } })).toBe('ok');
    await until(() => seen.length === 1);
    const b = await user(vsn);
    const refused = b.client.channel(topic, { config: { private: true } });
    await expect(join(refused)).rejects.toThrow(
      `Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`,
    );
  });

  it('delivers REST broadcasts in both forms, JSON and binary', async () => {
    const a = await user(vsn);
    const ch = a.client.channel('rest-room');
    const seen = collect(ch, 'broadcast');
    await join(ch);
    const b = await user(vsn);
    const sender = b.client.channel('rest-room');
    expect(await sender.httpSend('single', { via: 'single' })).toEqual({ success: true });
    expect(await sender.httpSend('bytes', new Uint8Array([1, 2, 3]))).toEqual({ success: true });
    // The batch form, as an unjoined channel's send() posts it (called directly here: the
    // test's fetch interceptor never settles the body cancel() that send() awaits).
    const batch = await fetch(`${url()}/realtime/v1/api/broadcast`, {
      method: 'POST',
      headers: {
        apikey: ANON,
        authorization: `Bearer ${b.token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        messages: [
          { topic: 'rest-room', event: 'batch', payload: { via: 'batch' }, private: false },
        ],
      }),
    });
    expect(batch.status).toBe(202);
    await until(() => seen.some((m) => m.event === 'batch'));
    expect(seen.find((m) => m.event === 'single')?.payload).toEqual({ via: 'single' });
    const bytes = seen.find((m) => m.event === 'bytes');
    // 1.0.0 cannot carry binary payloads, so Realtime does not deliver them there.
    if (vsn === '2.0.0')
      expect([...new Uint8Array(bytes?.payload as ArrayBuffer)]).toEqual([1, 2, 3]);
    else expect(bytes).toBeUndefined();
  });

  it('broadcasts realtime.send from SQL after commit, and nothing after a rollback', async () => {
    const a = await user(vsn);
    const ch = a.client.channel('sql-room');
    const seen = collect(ch, 'broadcast');
    await join(ch);
    await h.db.sql
      .begin(async (tx) => {
        await tx`select realtime.send('{"n":1}'::jsonb, 'rolled-back', 'sql-room', false)`;
        throw new Error('roll back');
      })
      .catch(() => {});
    await h.db.sql`select realtime.send('{"n":2}'::jsonb, 'committed', 'sql-room', false)`;
    await until(() => seen.length > 0);
    expect(seen.map((m) => m.event)).toEqual(['committed']);
    expect(seen[0]?.payload).toMatchObject({ n: 2, id: expect.any(String) });
  });

  it('syncs presence between two clients', async () => {
    const a = await user(vsn);
    const b = await user(vsn);
    const chA = a.client.channel('presence-room', { config: { presence: { key: a.id } } });
    const chB = b.client.channel('presence-room', { config: { presence: { key: b.id } } });
    chA.on('presence', { event: 'sync' }, () => {});
    chB.on('presence', { event: 'sync' }, () => {});
    await join(chA);
    await join(chB);
    expect(await chA.track({ name: 'a' })).toBe('ok');
    expect(await chB.track({ name: 'b' })).toBe('ok');
    await until(() => Object.keys(chA.presenceState()).length === 2, 10_000, 'presence sync');
    expect(chA.presenceState()[b.id]).toEqual([expect.objectContaining({ name: 'b' })]);
    expect(await chB.untrack()).toBe('ok');
    await until(() => Object.keys(chA.presenceState()).length === 1, 10_000, 'leave');
  });

  it('streams postgres_changes with a filter, and user B never sees user A rows', async () => {
    const a = await user(vsn);
    const b = await user(vsn);
    const watch = (who: typeof a, filter: string) => {
      const got: Array<{
        eventType: string;
        new: Record<string, unknown>;
        old: Record<string, unknown>;
      }> = [];
      const ch = who.client
        .channel(`notes-${who.id}-${filter}`)
        .on('postgres_changes', { event: '*', schema: 'public', table: 'rt_notes', filter }, (p) =>
          got.push(p as (typeof got)[number]),
        );
      const ready = collect(ch, 'system');
      return { ch, got, ready };
    };
    const mine = watch(a, `owner=eq.${a.id}`);
    const bMine = watch(b, `owner=eq.${b.id}`);
    const bFiltered = watch(b, `owner=eq.${a.id}`);
    for (const w of [mine, bMine, bFiltered]) {
      await join(w.ch);
      await until(() => w.ready.some((m) => m.message === 'Subscribed to PostgreSQL'));
    }
    // One statement per event: RLS is checked against the row as it is when the change is
    // read, as on Realtime, so a row deleted by then is no longer visible to anyone.
    const [row] = await asUser(
      a.id,
      (tx) => tx`insert into rt_notes (body) values ('one') returning id`,
    );
    const id = Number(row?.id);
    await until(() => mine.got.length === 1, 10_000, 'the insert');
    await asUser(a.id, (tx) => tx`update rt_notes set body = 'two' where id = ${id}`);
    await until(() => mine.got.length === 2, 10_000, 'the update');
    await asUser(a.id, (tx) => tx`delete from rt_notes where id = ${id}`);
    await until(() => mine.got.length === 3, 10_000, 'the delete');

    expect(mine.got.map((c) => c.eventType)).toEqual(['INSERT', 'UPDATE', 'DELETE']);
    expect(mine.got[0]?.new).toMatchObject({ id, body: 'one', owner: a.id });
    expect(mine.got[1]?.new).toMatchObject({ body: 'two' });
    expect(mine.got[2]?.old).toEqual({ id });
    // B's own note arrives on B's channel; A's rows never reach B, even asked for by filter.
    // A delete cannot be checked by RLS (the row is gone): it reaches a subscriber whose
    // filter it passes, with the primary key only, as Supabase documents.
    await asUser(b.id, (tx) => tx`insert into rt_notes (body) values ('b-note')`);
    await until(() => bMine.got.length > 0);
    expect(bMine.got.map((c) => [c.eventType, c.new.body])).toEqual([['INSERT', 'b-note']]);
    expect(bFiltered.got).toEqual([expect.objectContaining({ eventType: 'DELETE', old: { id } })]);
  });

  it('keeps a channel alive past the first token expiry once setAuth gives it a fresh one', async () => {
    const a = await user(vsn);
    const first = a.token;
    const { exp, iat } = decodeJwt(first) as { exp: number; iat: number };
    const kept = a.client.channel('long-room', { config: { broadcast: { ack: true } } });
    const keptSeen = collect(kept, 'broadcast', 'still');
    await join(kept);
    const other = appClient(url(), { vsn });
    clients.push(other);
    await other.realtime.setAuth(first);
    const lapsed = other.channel('long-room');
    const lapsedSystem = collect(lapsed, 'system');
    let lapsedStatus = '';
    lapsed.subscribe((s) => {
      lapsedStatus = s;
    });
    await until(() => lapsedStatus === 'SUBSCRIBED');
    // A fresh token, issued a second later than the first, so it expires later too.
    await until(() => epochSeconds(systemClock) > iat, 2000, 'the next second');
    const refreshed = await a.client.auth.refreshSession();
    const second = refreshed.data.session?.access_token as string;
    expect((decodeJwt(second) as { exp: number }).exp).toBeGreaterThan(exp);
    await a.client.realtime.setAuth(second);
    expect(await kept.send({ type: 'broadcast', event: 'ping', payload: {} })).toBe('ok');
    clock.jumpTo(exp * 1000);
    try {
      await h.stack.realtime.tick();
      await until(() => lapsedStatus === 'CLOSED', 10_000, 'the lapsed channel to close');
      expect(lapsedSystem).toContainEqual(
        expect.objectContaining({ status: 'error', message: 'Token has expired 0 seconds ago' }),
      );
      // The anon key, not a user token: it expires long after the clock's new time.
      const anon = appClient(url(), { vsn });
      clients.push(anon);
      await anon.channel('long-room').httpSend('still', { alive: true });
      await until(() => keptSeen.length === 1, 10_000, 'the refreshed channel to receive');
      expect(kept.state).toBe('joined');
    } finally {
      clock.reset();
    }
  });
});
