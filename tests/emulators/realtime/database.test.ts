import type { RealtimeChannel } from '@supabase/realtime-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { until, useRealtimeEmulator } from '../../helpers/realtime.ts';

// What Realtime reads from the database: Postgres Changes (filters, columns, errors) and
// broadcasts written by realtime.send / realtime.broadcast_changes.
const h = useRealtimeEmulator();
const USER = '00000000-0000-4000-8000-0000000000aa';

beforeAll(async () => {
  await h.db.sql.unsafe(`
    create table public.rt_items (id int primary key, n int not null, label text, tags text[]);
    grant select on public.rt_items to anon, authenticated;
    alter publication supabase_realtime add table public.rt_items;
    create table public.rt_hidden (id int primary key);
    create table public.rt_audit (id int primary key, note text);
    -- every write to rt_audit is broadcast to the private "audit" topic
    create function public.rt_audit_broadcast() returns trigger language plpgsql as $$
    begin
      perform realtime.broadcast_changes('audit', tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
      return null;
    end $$;
    create trigger rt_audit_broadcast after insert or update or delete on public.rt_audit
      for each row execute function public.rt_audit_broadcast();
    -- signed-in users may read the private "audit" topic
    create policy audit_read on realtime.messages for select to authenticated
      using (realtime.topic() = 'audit');
  `);
});

function subscribe(channel: RealtimeChannel) {
  const seen = { system: [] as Array<{ status: string; message: string }>, status: '' };
  channel.on('system', {}, (p) => seen.system.push(p));
  channel.subscribe((s) => {
    seen.status = s;
  });
  return seen;
}

describe('Postgres Changes', () => {
  it('applies each filter operator, with the ids the join reply gave', async () => {
    const filters = [
      'n=eq.5',
      'n=neq.5',
      'n=lt.5',
      'n=lte.5',
      'n=gt.5',
      'n=gte.5',
      'label=in.(a,b)',
    ];
    const got = new Map<string, number[]>();
    const client = h.client('2.0.0');
    const channel = client.channel('items');
    for (const filter of filters) {
      got.set(filter, []);
      channel.on(
        'postgres_changes',
        { event: 'INSERT', schema: 'public', table: 'rt_items', filter },
        (p) => got.get(filter)?.push(p.new.n as number),
      );
    }
    const seen = subscribe(channel);
    await until(() => seen.system.some((m) => m.message === 'Subscribed to PostgreSQL'));
    await h.db
      .sql`insert into rt_items (id, n, label) values (1, 4, 'a'), (2, 5, 'b'), (3, 6, 'c')`;
    await until(() => got.get('n=gte.5')?.length === 2, 5000, 'the inserts');
    await until(() => (got.get('label=in.(a,b)')?.length ?? 0) === 2);
    expect(Object.fromEntries(got)).toEqual({
      'n=eq.5': [5],
      'n=neq.5': [4, 6],
      'n=lt.5': [4],
      'n=lte.5': [4, 5],
      'n=gt.5': [6],
      'n=gte.5': [5, 6],
      'label=in.(a,b)': [4, 5],
    });
  });

  it('sends column types and typed values, and old values per replica identity', async () => {
    const changes: Array<Record<string, unknown>> = [];
    const channel = h.client('1.0.0').channel('typed');
    channel.on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'rt_items' }, (p) =>
      changes.push(p),
    );
    const seen = subscribe(channel);
    await until(() => seen.system.some((m) => m.message === 'Subscribed to PostgreSQL'));
    await h.db.sql`insert into rt_items (id, n, tags) values (10, 1, '{x,y}')`;
    await h.db.sql`update rt_items set n = 2 where id = 10`;
    await until(() => changes.length === 1);
    expect(changes[0]).toMatchObject({
      eventType: 'UPDATE',
      schema: 'public',
      table: 'rt_items',
      new: { id: 10, n: 2, label: null, tags: ['x', 'y'] },
      old: {},
      errors: null,
      commit_timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
  });

  it('says why it cannot subscribe: a column that does not exist, a table not published', async () => {
    const bad = subscribe(
      h
        .client('2.0.0')
        .channel('bad-filter')
        .on(
          'postgres_changes',
          { event: '*', schema: 'public', table: 'rt_items', filter: 'nope=eq.1' },
          () => {},
        ),
    );
    const unpublished = subscribe(
      h
        .client('2.0.0')
        .channel('unpublished')
        .on('postgres_changes', { event: '*', schema: 'public', table: 'rt_hidden' }, () => {}),
    );
    await until(() => bad.system.length > 0 && unpublished.system.length > 0);
    expect(bad.system[0]).toMatchObject({
      status: 'error',
      message:
        'Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: [event: *, schema: public, table: rt_items, filters: [{"nope", "eq", "1", false}], select: nil]. Exception: ERROR P0001 (raise_exception) invalid column for filter nope',
    });
    expect(unpublished.system[0]?.message).toBe(
      'Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: [event: *, schema: public, table: rt_hidden, filters: [], select: nil]',
    );
  });
});

describe('broadcast from the database', () => {
  it('routes realtime.send by its private flag, and broadcast_changes to readers of the topic', async () => {
    const publicSeen: unknown[] = [];
    const privateSeen: Array<{ event: string; payload: Record<string, unknown> }> = [];
    const pub = h.client('2.0.0').channel('audit');
    pub.on('broadcast', { event: '*' }, (p) => publicSeen.push(p));
    const priv = h
      .client('1.0.0', await h.token({ sub: USER }))
      .channel('audit', { config: { private: true } });
    priv.on('broadcast', { event: '*' }, (p) =>
      privateSeen.push(p as unknown as (typeof privateSeen)[number]),
    );
    const a = subscribe(pub);
    const b = subscribe(priv);
    await until(() => a.status === 'SUBSCRIBED' && b.status === 'SUBSCRIBED');
    await h.db.sql`insert into rt_audit values (1, 'first')`;
    await h.db.sql`select realtime.send('{"n":1}'::jsonb, 'public-note', 'audit', false)`;
    await until(() => privateSeen.length === 1 && publicSeen.length === 1);
    expect(privateSeen[0]).toMatchObject({
      event: 'INSERT',
      payload: {
        operation: 'INSERT',
        table: 'rt_audit',
        schema: 'public',
        record: { id: 1, note: 'first' },
        old_record: null,
      },
    });
    expect(publicSeen[0]).toMatchObject({ event: 'public-note', payload: { n: 1 } });
  });

  it('delivers realtime.send_binary to 2.0.0 clients as bytes', async () => {
    const seen: Array<{ payload: ArrayBuffer }> = [];
    const ch = h.client('2.0.0').channel('bytes');
    ch.on('broadcast', { event: 'blob' }, (p) => seen.push(p as unknown as (typeof seen)[number]));
    const s = subscribe(ch);
    await until(() => s.status === 'SUBSCRIBED');
    await h.db.sql`select realtime.send_binary('\\x010203'::bytea, 'blob', 'bytes', false)`;
    await until(() => seen.length === 1);
    expect([...new Uint8Array(seen[0]?.payload as ArrayBuffer)]).toEqual([1, 2, 3]);
  });
});
