import { randomBytes, randomInt } from 'node:crypto';
import type { Pool } from '../../shared/db/client.ts';

/**
 * A burst of Meta webhook deliveries, for the load test (`npm run bench`) and its smaller
 * version in `npm test`: distinct deliveries, and a tenth of the total that repeat an earlier
 * one byte for byte (Meta's retries), in random order.
 */
export interface Burst {
  /** Bodies to post, shuffled, duplicates included. */
  bodies: string[];
  /** Distinct deliveries among them. */
  distinct: number;
  /** Inbound messages in the burst, and the senders (wa_id) they come from. */
  messages: number;
  senders: string[];
  /** Outbound wamids whose sent, delivered and read statuses are in the burst. */
  outbound: string[];
}

const seconds = () => String(Math.floor(Date.now() / 1000));
const newWamid = () => `wamid.${randomBytes(24).toString('base64url')}`;

function envelope(phoneNumberId: string, value: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

/**
 * `total` deliveries for the number `phoneNumberId`: inbound texts from `senders` people and
 * the `sent`, `delivered` and `read` statuses of `outbound` messages (their wamids are
 * returned, for the caller to create the messages first).
 */
export function webhookBurst(
  phoneNumberId: string,
  total: number,
  opts: { senders: number; outbound: number },
): Burst {
  const distinct = total - Math.floor(total / 10);
  const outbound = Array.from({ length: opts.outbound }, newWamid);
  const statuses = outbound.flatMap((id) =>
    ['sent', 'delivered', 'read'].map((status) =>
      JSON.stringify(
        envelope(phoneNumberId, {
          statuses: [{ id, status, timestamp: seconds(), recipient_id: '16505551234' }],
        }),
      ),
    ),
  );
  const messages = distinct - statuses.length;
  if (messages < 1) throw new Error('too many statuses for the burst');
  const senders = Array.from(
    { length: opts.senders },
    (_, i) => `3461${String(i).padStart(7, '0')}`,
  );
  const texts = Array.from({ length: messages }, (_, i) => {
    const from = senders[i % senders.length] as string;
    const message = {
      from,
      id: newWamid(),
      timestamp: seconds(),
      type: 'text',
      text: { body: `Message ${i}` },
    };
    return JSON.stringify(
      envelope(phoneNumberId, {
        contacts: [{ profile: { name: `Sender ${from}` }, wa_id: from }],
        messages: [message],
      }),
    );
  });
  const unique = [...texts, ...statuses];
  const again = Array.from(
    { length: total - distinct },
    () => unique[randomInt(unique.length)] as string,
  );
  const bodies = [...unique, ...again];
  for (let i = bodies.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [bodies[i], bodies[j]] = [bodies[j] as string, bodies[i] as string];
  }
  return { bodies, distinct, messages, senders, outbound };
}

/** Runs `fn` over `items`, at most `concurrency` at once, and returns the results in order. */
export async function inParallel<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

/** What exactly-once processing of a burst leaves in the database, counted. */
export interface BurstCounts {
  items: number;
  processed: number;
  applied: number;
  deliveries: number;
  jobs: number;
  inbound: number;
  clients: number;
  created: number;
  read: number;
}

/** Counts what the burst left, for the project the number belongs to. */
export async function burstCounts(
  sql: Pool,
  projectId: string,
  outbound: string[],
): Promise<BurstCounts> {
  const [row] = await sql<BurstCounts[]>`
    select (select count(*)::int from private.whatsapp_intake) as items,
           (select count(*)::int from private.whatsapp_intake where processed_at is not null) as processed,
           (select count(*)::int from private.whatsapp_intake where outcome = 'applied') as applied,
           (select count(*)::int from private.whatsapp_deliveries) as deliveries,
           (select count(*)::int from pgboss.job where name = 'whatsapp.intake') as jobs,
           (select count(*)::int from public.crm_messages
             where project_id = ${projectId} and direction = 'in') as inbound,
           (select count(*)::int from public.crm_clients where project_id = ${projectId}) as clients,
           (select count(*)::int from public.crm_client_events
             where project_id = ${projectId} and kind = 'created') as created,
           (select count(*)::int from public.crm_messages
             where wamid = any(${outbound}) and status = 'read') as read`;
  if (!row) throw new Error('no counts');
  return row;
}
