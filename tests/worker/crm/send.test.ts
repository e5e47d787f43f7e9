import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { STATUS_RANK } from '../../../shared/crm/messages.ts';
import type { CrmDeps } from '../../../worker/crm/context.ts';
import { sendHandler } from '../../../worker/crm/send.ts';
import { delivery, status } from '../../fixtures/whatsapp.ts';
import { PHONE_NUMBER_ID, useGraphEmulator } from '../../helpers/graph.ts';
import { useStorageEmulator } from '../../helpers/storage-emulator.ts';
import { crmDeps, forwarder, ingest, jobContext, seedChannel } from './harness.ts';

const s = useStorageEmulator();
const g = useGraphEmulator();
const CLIENT = '+16505550199';
let deps: CrmDeps;
let forward: () => Promise<void>;
let projectId = '';
let channelId = '';

beforeEach(async () => {
  deps = crmDeps(s, g);
  forward = forwarder(deps, g);
  ({ projectId, channelId } = await seedChannel(deps));
});

/** A message queued as the API queues it (status queued, content for the Graph API). */
async function queued(content: Record<string, unknown>): Promise<string> {
  const [c] = await s.db.sql<{ id: string }[]>`
    insert into public.crm_clients (project_id, phone, name) values (${projectId}, ${CLIENT}, 'Ana')
    on conflict (project_id, phone) do update set name = excluded.name returning id`;
  const id = randomUUID();
  await s.db.sql`
    insert into public.crm_messages (id, project_id, client_id, channel_id, direction, type, body,
                                     content, status, occurred_at)
    values (${id}, ${projectId}, ${c!.id}, ${channelId}, 'out', ${String(content.type)}, 'Hello',
            ${s.db.sql.json({ to: CLIENT, ...content })}, 'queued', now())`;
  return id;
}

const text = { type: 'text', text: { body: 'Your papers are ready' } };
const send = (id: string, d: CrmDeps = deps) => sendHandler(d)({ message_id: id }, jobContext(d));
const message = async (id: string) =>
  (
    await s.db.sql`select status, wamid, statuses, error from public.crm_messages where id = ${id}`
  )[0]!;
const attempts = (id: string) =>
  s.db.sql`select attempt, http_status, error_code, retry_in_ms from public.crm_message_attempts
            where message_id = ${id} order by attempt`;

describe('whatsapp.send', () => {
  it('sends through the Graph API, records the wamid, and follows statuses to read', async () => {
    g.graph.openWindow(PHONE_NUMBER_ID, CLIENT);
    const id = await queued(text);
    await send(id);
    expect(g.graph.sent).toHaveLength(1);
    expect(g.graph.sent[0]!.body).toMatchObject({
      to: CLIENT,
      type: 'text',
      text: { body: 'Your papers are ready' },
    });
    const sent = await message(id);
    expect(sent).toMatchObject({ status: 'accepted', wamid: g.graph.sent[0]!.id });
    expect(await attempts(id)).toEqual([
      { attempt: 1, http_status: 200, error_code: null, retry_in_ms: null },
    ]);
    await forward();
    expect((await message(id)).status).toBe('read');
    // The job again (pg-boss may run it twice): nothing is sent twice.
    await send(id);
    expect(g.graph.sent).toHaveLength(1);
    expect((await message(id)).status).toBe('read');
  });

  it("retries Meta's throughput limit with backoff, recording every attempt", async () => {
    // Backoff is 1 s, then 2 s, with equal jitter (fixed at the middle here: ¾ of each).
    g.graph.openWindow(PHONE_NUMBER_ID, CLIENT);
    g.graph.fail({ code: 130429, status: 400, times: 2 });
    const id = await queued(text);
    await send(id);
    expect(await attempts(id)).toEqual([
      { attempt: 1, http_status: 400, error_code: 130429, retry_in_ms: 750 },
      { attempt: 2, http_status: 400, error_code: 130429, retry_in_ms: 1500 },
      { attempt: 3, http_status: 200, error_code: null, retry_in_ms: null },
    ]);
    expect((await message(id)).status).toBe('accepted');
  });

  it('fails at once on a refusal Meta will repeat, and never calls again for a message left sending', async () => {
    g.graph.fail({ code: 131026, status: 400, title: 'Message undeliverable' });
    const refused = await queued(text);
    await send(refused);
    expect(await message(refused)).toMatchObject({
      status: 'failed',
      error: { code: 131026, http_status: 400 },
    });
    expect(await attempts(refused)).toHaveLength(1);

    const interrupted = await queued(text);
    await s.db
      .sql`update public.crm_messages set status = 'sending', status_rank = ${STATUS_RANK.sending}
                    where id = ${interrupted}`;
    await send(interrupted);
    expect(await message(interrupted)).toMatchObject({
      status: 'failed',
      error: { code: 'interrupted' },
    });
    expect(g.graph.sent).toHaveLength(0);
  });

  it("ends failed with Meta's 131047 when free text goes out after the window", async () => {
    const id = await queued(text);
    await send(id);
    await forward();
    expect(await message(id)).toMatchObject({ status: 'failed', error: { code: 131047 } });
  });

  it('applies a status that arrives before the wamid is recorded', async () => {
    g.graph.openWindow(PHONE_NUMBER_ID, CLIENT);
    // Meta's `sent` webhook lands (and is processed) while the worker still waits for the answer.
    const racing = crmDeps(s, g, {
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        const { messages } = (await res.clone().json()) as { messages: Array<{ id: string }> };
        const outcome = await ingest(
          deps,
          JSON.stringify(delivery({ statuses: [status(messages[0]!.id, 'sent')] })),
        );
        expect(outcome).toHaveLength(1);
        return res;
      },
    });
    const id = await queued(text);
    await send(id, racing);
    const [early] = await s.db
      .sql`select outcome from private.whatsapp_intake where wamid = ${(await message(id)).wamid} and kind = 'status'`;
    expect(early!.outcome).toBe('unknown_message');
    expect((await message(id)).status).toBe('sent');
  });
});
