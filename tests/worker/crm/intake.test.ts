import { beforeEach, describe, expect, it } from 'vitest';
import { intakeHandler } from '../../../worker/crm/intake.ts';
import {
  contacts,
  delivery,
  inboundExamples,
  status,
  USER,
  wamid,
} from '../../fixtures/whatsapp.ts';
import { useGraphEmulator } from '../../helpers/graph.ts';
import { useStorageEmulator } from '../../helpers/storage-emulator.ts';
import { crmDeps, ingest, jobContext, seedChannel } from './harness.ts';

const s = useStorageEmulator();
const g = useGraphEmulator();
let deps: ReturnType<typeof crmDeps>;
let projectId = '';

beforeEach(async () => {
  deps = crmDeps(s, g);
  ({ projectId } = await seedChannel(deps));
});

const one = (value: Record<string, unknown>) => JSON.stringify(delivery(value));

describe('whatsapp.intake: inbound messages', () => {
  it('stores every type Meta sends once, for one client found or created by phone', async () => {
    const examples = Object.values(inboundExamples);
    const keys: string[] = [];
    for (const message of examples)
      keys.push(...(await ingest(deps, one({ contacts, messages: [message] }))));
    expect(keys).toHaveLength(examples.length);

    const clients = await s.db.sql`
      select phone, name, status, last_inbound_at is not null as wrote
        from public.crm_clients where project_id = ${projectId}`;
    expect(clients).toEqual([
      { phone: `+${USER}`, name: 'Sheena Nelson', status: 'new', wrote: true },
    ]);
    const rows = await s.db.sql<
      { wamid: string; type: string; body: string; media: unknown; reply_to: string | null }[]
    >`
      select wamid, type, body, media, reply_to from public.crm_messages
       where project_id = ${projectId} and direction = 'in'`;
    expect(rows).toHaveLength(examples.length);
    const byId = new Map(rows.map((r) => [r.wamid, r]));
    expect(byId.get(inboundExamples.text.id)?.body).toBe('Does it come in another color?');
    expect(byId.get(inboundExamples.image.id)).toMatchObject({
      type: 'image',
      body: 'Broken on arrival',
      media: { id: '1003383421387256', mime_type: 'image/jpeg', state: 'pending' },
    });
    expect(byId.get(inboundExamples.audio.id)?.body).toBe('[voice note]');
    expect(byId.get(inboundExamples.document.id)?.body).toBe('Invoice');
    expect(byId.get(inboundExamples.location.id)?.body).toBe(
      '📍 Meta Headquarters, 1 Hacker Way, Menlo Park, CA 94025',
    );
    expect(byId.get(inboundExamples.contacts.id)?.body).toBe('👤 Barbara J. Johnson');
    expect(byId.get(inboundExamples.button_reply.id)).toMatchObject({
      body: 'Cancel',
      reply_to: 'wamid.CONTEXT',
    });
    expect(byId.get(inboundExamples.list_reply.id)?.body).toBe('Priority Mail Express');
    expect(byId.get(inboundExamples.reaction.id)).toMatchObject({
      body: 'Reacted 👍',
      reply_to: 'wamid.OURS',
    });
    expect(byId.get(inboundExamples.order.id)?.body).toBe('🛒 2 items: Two please');
    expect(byId.get(inboundExamples.unknown.id)).toMatchObject({ type: 'unknown' });
    const media = await s.db
      .sql`select count(*)::int as n from pgboss.job where name = 'whatsapp.media'`;
    expect(media[0]!.n).toBe(5); // image, audio, video, document, sticker

    // Processing the same items again (a job run twice) changes nothing.
    await intakeHandler(deps)({ keys }, jobContext(deps));
    const [again] = await s.db.sql`
      select (select count(*)::int from public.crm_messages where project_id = ${projectId}) as messages,
             (select count(*)::int from public.crm_client_events where project_id = ${projectId}) as events,
             (select count(*)::int from private.whatsapp_intake where outcome = 'applied'
                 and key = any(${keys})) as applied`;
    expect(again).toEqual({ messages: examples.length, events: 1, applied: examples.length });
  });

  it('leaves a delivery for a number no project connected, and brings an archived client back', async () => {
    const stray = JSON.stringify(
      delivery({ contacts, messages: [{ ...inboundExamples.text, id: wamid() }] }),
    ).replaceAll('106540352242922', '999999999999999');
    const [key] = await ingest(deps, stray);
    const [row] = await s.db.sql`select outcome from private.whatsapp_intake where key = ${key!}`;
    expect(row!.outcome).toBe('no_channel');

    await ingest(deps, one({ contacts, messages: [{ ...inboundExamples.text, id: wamid() }] }));
    await s.db.sql`
      update public.crm_clients set status = 'archived', archived_at = now() where project_id = ${projectId}`;
    await ingest(deps, one({ contacts, messages: [{ ...inboundExamples.text, id: wamid() }] }));
    const [client] = await s.db.sql`
      select status, archived_at from public.crm_clients where project_id = ${projectId}`;
    expect(client).toEqual({ status: 'active', archived_at: null });
  });
});

describe('whatsapp.intake: statuses', () => {
  async function outbound(wamidOf: string) {
    const [c] = await s.db.sql<{ id: string }[]>`
      insert into public.crm_clients (project_id, phone, name) values (${projectId}, ${`+${USER}`}, 'S')
      on conflict (project_id, phone) do update set name = excluded.name returning id`;
    await s.db.sql`
      insert into public.crm_messages (project_id, client_id, direction, wamid, type, body, status,
                                       status_rank, occurred_at)
      values (${projectId}, ${c!.id}, 'out', ${wamidOf}, 'text', 'Hello', 'accepted', 2, now())`;
  }
  const statusOf = async (w: string) =>
    (await s.db.sql`select status, statuses, error from public.crm_messages where wamid = ${w}`)[0];

  it('moves only forward, whatever order the webhooks come in', async () => {
    const w = wamid();
    await outbound(w);
    for (const value of ['read', 'sent', 'delivered']) {
      await ingest(deps, one({ statuses: [status(w, value)] }));
    }
    const row = await statusOf(w);
    expect(row!.status).toBe('read');
    expect(Object.keys(row!.statuses).sort()).toEqual(['delivered', 'read', 'sent']);
  });

  it("records a failure with Meta's error", async () => {
    const w = wamid();
    await outbound(w);
    await ingest(deps, one({ statuses: [status(w, 'sent')] }));
    await ingest(
      deps,
      one({
        statuses: [
          status(w, 'failed', { errors: [{ code: 131047, title: 'Re-engagement message' }] }),
        ],
      }),
    );
    expect(await statusOf(w)).toMatchObject({
      status: 'failed',
      error: { code: 131047, title: 'Re-engagement message' },
    });
  });
});

describe('whatsapp.intake: the classifier', () => {
  const say = (text: string, from = USER) =>
    ingest(
      deps,
      one({
        contacts: [{ profile: { name: 'Someone' }, wa_id: from }],
        messages: [
          { from, id: wamid(), timestamp: '1750090702', type: 'text', text: { body: text } },
        ],
      }),
    );
  const clientOf = async (from: string) =>
    (
      await s.db.sql`
      select id, profile_type, profile_confidence, profile_source from public.crm_clients
       where project_id = ${projectId} and phone = ${`+${from}`}`
    )[0]!;
  const classified = async (clientId: string) =>
    (
      await s.db.sql`
      select data from public.crm_client_events where client_id = ${clientId} and kind = 'classified'
       order by occurred_at, id`
    ).map((r) => r.data);

  beforeEach(async () => {
    await s.db.sql`
      insert into public.crm_classifiers (project_id, threshold, rules)
      values (${projectId}, 0.7, ${s.db.sql.json([
        { profile_type: 'asylum', terms: ['asylum', 'refugee', 'international protection'] },
        { profile_type: 'work_permit', terms: ['work permit', 'employer', 'contract'] },
      ])})`;
  });

  it('changes the profile type above the threshold only, and the timeline says why', async () => {
    await say('Hello, I need help with my asylum request. I am a refugee.', '34600000001');
    const sure = await clientOf('34600000001');
    expect(sure).toMatchObject({
      profile_type: 'asylum',
      profile_confidence: 0.75,
      profile_source: 'classifier',
    });
    expect(await classified(sure.id)).toEqual([
      expect.objectContaining({
        profile_type: 'asylum',
        confidence: 0.75,
        matched: ['asylum', 'refugee'],
        threshold: 0.7,
        applied: true,
        reason: 'above_threshold',
      }),
    ]);
    const [changed] = await s.db.sql`
      select data from public.crm_client_events where client_id = ${sure.id} and kind = 'profile_changed'`;
    expect(changed!.data).toMatchObject({ from: null, to: 'asylum', source: 'classifier' });

    await say('Is my ASYLUM appointment still on?', '34600000002');
    const unsure = await clientOf('34600000002');
    expect(unsure.profile_type).toBeNull();
    expect(await classified(unsure.id)).toEqual([
      expect.objectContaining({ confidence: 0.5, applied: false, reason: 'below_threshold' }),
    ]);
  });

  it('never overrides a profile type set by hand', async () => {
    await say('Hola', '34600000003');
    const client = await clientOf('34600000003');
    await s.db.sql`
      update public.crm_clients set profile_type = 'family', profile_source = 'manual' where id = ${client.id}`;
    await say('My employer will sign the work permit contract', '34600000003');
    expect((await clientOf('34600000003')).profile_type).toBe('family');
    expect(await classified(client.id)).toEqual([
      expect.objectContaining({
        profile_type: 'work_permit',
        applied: false,
        reason: 'set_by_hand',
      }),
    ]);
  });
});
