import type { ChangeDispatcher } from './changes/dispatch.ts';
import type { Log } from './context.ts';
import { type Hub, hubKey } from './hub.ts';
import { payloadLimit } from './limits.ts';
import type { Change, Transaction } from './pgoutput.ts';

function field(change: Change, name: string): string | null | undefined {
  const i = change.relation.columns.findIndex((c) => c.name === name);
  return i < 0 ? undefined : change.row?.[i];
}

/** `\x0a0b…` (bytea's text form) to bytes. */
const bytea = (text: string) => Buffer.from(text.replace(/^\\x/, ''), 'hex');

/**
 * A committed insert into realtime.messages (what `realtime.send` writes), turned into the
 * broadcast Realtime delivers: to the topic's private or public subscribers, with the row's
 * id as `meta.id`. Rows missing a topic, event, id or payload are skipped, as Realtime does.
 */
export function broadcastMessage(hub: Hub, change: Change, maxPayloadKb: number, log: Log) {
  const topic = field(change, 'topic');
  const event = field(change, 'event');
  const id = field(change, 'id');
  const isPrivate = field(change, 'private');
  const binary = field(change, 'binary_payload');
  const json = field(change, 'payload');
  if (!topic || !event || !id || isPrivate == null) return;
  const data = binary ? bytea(binary) : json ? Buffer.from(json) : undefined;
  if (!data) return;
  if (data.length > payloadLimit(maxPayloadKb)) {
    log('warn', 'UnableToBroadcastChanges: payload_size_exceeded');
    return;
  }
  hub.publish(
    hubKey(topic, isPrivate === 't'),
    {
      kind: 'user',
      broadcast: { event, encoding: binary ? 'binary' : 'json', data, meta: { id } },
    },
    { kind: 'broadcast' },
  );
}

/** Routes each committed change: realtime.messages to Broadcast, the rest to Postgres Changes. */
export function transactionHandler(opts: {
  hub: Hub;
  changes: ChangeDispatcher;
  maxPayloadKb: number;
  log: Log;
}) {
  return async (tx: Transaction) => {
    for (const change of tx.changes) {
      const { schema, table } = change.relation;
      if (schema === 'realtime' && table.startsWith('messages')) {
        if (change.kind === 'insert')
          broadcastMessage(opts.hub, change, opts.maxPayloadKb, opts.log);
        continue;
      }
      await opts.changes.handle(change, tx);
    }
  };
}
