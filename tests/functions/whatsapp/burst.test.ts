import { describe, expect, it } from 'vitest';
import { burstCounts, inParallel, webhookBurst } from '../../../scripts/bench/webhook-burst.ts';
import { signatureHeader } from '../../../shared/whatsapp/signature.ts';
import { until, useWorker } from '../../helpers/worker.ts';
import { APP_SECRET, newPhoneNumberId, useCrmApi } from '../api/crm/helpers.ts';

// The load test of `npm run bench` in small: signed deliveries, a tenth of them repeated
// byte for byte, in random order and twenty at a time, through the webhook and a real worker
// (pg-boss). Only counts are asserted: everything exactly once, statuses at their furthest.
const fx = useCrmApi();
useWorker(
  fx.auth.db,
  { url: 'http://127.0.0.1:9/v1' },
  {
    env: { WORKER_CONCURRENCY: '1' },
  },
);
const sql = () => fx.auth.db.sql;

describe('a burst of signed webhooks', () => {
  it('stores and processes every message and status exactly once', async () => {
    const phoneNumberId = newPhoneNumberId();
    const [user] = await sql()<{ id: string }[]>`
      insert into auth.users (id, email) values (gen_random_uuid(), 'burst@example.com') returning id`;
    const [project] = await sql()<{ id: string }[]>`
      insert into public.projects (owner_id, name) values (${user!.id}, 'Burst') returning id`;
    const projectId = project!.id;
    await sql()`
      insert into public.crm_channels (project_id, phone_number_id, name, access_token)
      values (${projectId}, ${phoneNumberId}, 'Burst', 'v1.AAAA.BBBB')`;
    const burst = webhookBurst(phoneNumberId, 200, { senders: 25, outbound: 15 });
    // The outbound messages whose statuses the burst carries, as a send leaves them.
    const [someone] = await sql()<{ id: string }[]>`
      insert into public.crm_clients (project_id, phone, name) values (${projectId}, '+16505551234', 'Out')
      returning id`;
    for (const wamid of burst.outbound) {
      await sql()`
        insert into public.crm_messages (project_id, client_id, direction, wamid, type, body, status,
                                         status_rank, occurred_at)
        values (${projectId}, ${someone!.id}, 'out', ${wamid}, 'text', 'Hi', 'accepted', 2, now())`;
    }

    const statuses = await inParallel(burst.bodies, 20, async (body) => {
      const res = await fx.call('whatsapp', '/webhook', {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': await signatureHeader(APP_SECRET, body),
        },
      });
      await res.body?.cancel();
      return res.status;
    });
    expect(statuses.filter((s) => s !== 200)).toEqual([]);

    const items = burst.messages + 3 * burst.outbound.length;
    const counts = await until(
      () => burstCounts(sql(), projectId, burst.outbound),
      (c) => c.processed === items,
      20_000,
      'the worker to process the burst',
    );
    expect(counts).toEqual({
      items,
      processed: items,
      applied: items,
      deliveries: burst.distinct,
      jobs: burst.distinct,
      inbound: burst.messages,
      clients: burst.senders.length + 1,
      created: burst.senders.length + 1,
      read: burst.outbound.length,
    });
  });
});
