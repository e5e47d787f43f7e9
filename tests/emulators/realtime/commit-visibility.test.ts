import { beforeAll, describe, expect, it } from 'vitest';
import { ChangeDispatcher } from '../../../scripts/emulators/realtime/changes/dispatch.ts';
import { parseSubscriptionParams } from '../../../scripts/emulators/realtime/changes/params.ts';
import type { Change, Relation } from '../../../scripts/emulators/realtime/pgoutput.ts';
import { useTestDatabase } from '../../helpers/db.ts';

// pgoutput hands a transaction over once its commit record is flushed; the committing backend
// becomes visible to other sessions only a moment later. Realtime's RLS check reads the table,
// so a change dispatched in that moment must wait for its transaction, not judge the row
// hidden. The writer's transaction is held open here to make that moment last: to a snapshot,
// "flushed but not yet visible" and "still running" look the same.
const db = useTestDatabase();
const OWNER = '00000000-0000-4000-8000-0000000000c1';
const OTHER = '00000000-0000-4000-8000-0000000000c2';
let relation: Relation;

beforeAll(async () => {
  await db.sql.unsafe(`
    create table public.rt_private (id int primary key, owner uuid not null, body text);
    alter table public.rt_private enable row level security;
    create policy rt_private_own on public.rt_private for select to authenticated
      using (owner = auth.uid());
    grant select on public.rt_private to authenticated;
  `);
  const [row] = await db.sql`select 'public.rt_private'::regclass::oid::int as oid`;
  relation = {
    id: row?.oid as number,
    schema: 'public',
    table: 'rt_private',
    columns: [
      { name: 'id', typeOid: 23, key: true },
      { name: 'owner', typeOid: 2950, key: false },
      { name: 'body', typeOid: 25, key: false },
    ],
  };
});

/**
 * Dispatches `change` of the transaction `write` leaves open, to a subscriber signed in as
 * OWNER; the transaction commits when the dispatcher says it waits for it (or, if it never
 * does, after dispatching). Returns what the subscriber received.
 */
async function dispatchMidCommit(write: string, change: (r: Relation) => Change) {
  const writer = await db.sql.reserve();
  await writer`begin`;
  await writer.unsafe(write);
  // pgoutput's Begin message carries the low 32 bits of the xid.
  const [tx] = await writer`select (pg_current_xact_id()::text::bigint % 4294967296)::int as xid`;
  let committed: Promise<void> | undefined;
  // A postgres.js query runs once something waits on it: `then` starts it now.
  const commit = () => {
    committed ??= writer`commit`.then(() => undefined);
    return committed;
  };
  const dispatcher = new ChangeDispatcher(db.sql, 1024 * 1024, (_level, message) => {
    if (message.includes(`transaction ${tx?.xid} is committed but not visible yet`)) commit();
  });
  const received: Array<{ ids: number[]; data: Record<string, unknown> }> = [];
  const parsed = parseSubscriptionParams({ event: '*', schema: 'public', table: 'rt_private' });
  if (!parsed.ok) throw new Error(parsed.message);
  dispatcher.add({
    id: 7,
    owner: {
      claims: { role: 'authenticated', sub: OWNER, exp: 4102444800 },
      deliver: (payload) => received.push(payload),
    },
    params: parsed.params,
    entities: new Set([relation.id]),
  });
  try {
    await dispatcher.handle(change(relation), { xid: tx?.xid as number, commitTime: Date.now() });
  } finally {
    await commit();
    writer.release();
  }
  return received;
}

describe('Postgres Changes read before their transaction is visible', () => {
  it('delivers an insert the subscriber may see', async () => {
    const received = await dispatchMidCommit(
      `insert into rt_private values (1, '${OWNER}', 'one')`,
      (r) => ({ kind: 'insert', relation: r, row: ['1', OWNER, 'one'] }),
    );
    expect(received).toEqual([
      {
        ids: [7],
        data: expect.objectContaining({
          type: 'INSERT',
          table: 'rt_private',
          record: { id: 1, owner: OWNER, body: 'one' },
        }),
      },
    ]);
  });

  it('delivers an update that hands the row to the subscriber', async () => {
    await db.sql`insert into rt_private values (2, ${OTHER}, 'theirs')`;
    const received = await dispatchMidCommit(
      `update rt_private set owner = '${OWNER}', body = 'mine' where id = 2`,
      (r) => ({ kind: 'update', relation: r, row: ['2', OWNER, 'mine'] }),
    );
    expect(received.map((p) => p.data.record)).toEqual([{ id: 2, owner: OWNER, body: 'mine' }]);
  });

  it('keeps an update that takes the row away from the subscriber', async () => {
    await db.sql`insert into rt_private values (3, ${OWNER}, 'mine')`;
    const received = await dispatchMidCommit(
      `update rt_private set owner = '${OTHER}', body = 'theirs now' where id = 3`,
      (r) => ({ kind: 'update', relation: r, row: ['3', OTHER, 'theirs now'] }),
    );
    // Judged by the row as it was, the new owner's text would reach the old owner.
    expect(received).toEqual([]);
  });
});
