import { randomInt, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { signatureHeader } from '../../../../shared/whatsapp/signature.ts';
import { delivery, PHONE_NUMBER_ID, wamid } from '../../../fixtures/whatsapp.ts';
import { APP_SECRET, crmFixtures } from './helpers.ts';
import { uploadDocument, useDocumentsApi } from './storage.ts';

const h = useDocumentsApi();
const { team, api, sql } = crmFixtures(h.fx);

/** What identifies a client: every table and file is searched for each after the erase. */
function person() {
  const marker = randomUUID().slice(0, 8);
  const digits = `1650${randomInt(1e6, 1e7 - 1)}`;
  return {
    marker,
    digits,
    NAME: `Zelda Quux ${marker}`,
    EMAIL: `zelda.${marker}@example.com`,
    PHONE: `+${digits}`,
    SECRET: `passport number ${marker}`,
  };
}

const hex = (s: string) => Buffer.from(s).toString('hex');

/** Every table of every schema, as text, that mentions one of `needles` (bytea as hex too). */
async function tablesMentioning(needles: string[]): Promise<string[]> {
  const tables = await sql()<{ name: string }[]>`
    select format('%I.%I', n.nspname, c.relname) as name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r', 'p') and not c.relispartition
       and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')`;
  const patterns = needles.flatMap((n) => [`%${n.toLowerCase()}%`, `%${hex(n)}%`]);
  const hits: string[] = [];
  for (const { name } of tables) {
    const [row] = await sql().unsafe(
      `select count(*)::int as n from ${name} t where lower(t::text) like any ($1::text[])`,
      [patterns],
    );
    if ((row as unknown as { n: number }).n > 0) hits.push(name);
  }
  return hits;
}

async function filesMentioning(dir: string, needles: string[]): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const hits: string[] = [];
  for (const e of entries.filter((x) => x.isFile())) {
    const text = (await readFile(`${e.parentPath}/${e.name}`)).toString('latin1').toLowerCase();
    if (needles.some((n) => text.includes(n.toLowerCase()))) hits.push(e.name);
  }
  return hits;
}

async function clientWithHistory() {
  const p = person();
  const { NAME, EMAIL, PHONE, SECRET, marker } = p;
  const t = await team();
  // The webhook's number belongs to this project, so its deliveries are this client's.
  await sql()`delete from public.crm_channels where phone_number_id = ${PHONE_NUMBER_ID}`;
  const [channel] = await sql()<{ id: string }[]>`
    insert into public.crm_channels (project_id, phone_number_id, name, access_token)
    values (${t.projectId}, ${PHONE_NUMBER_ID}, 'Desk', 'v1.AAAA.BBBB') returning id`;
  const created = await api(`/projects/${t.projectId}/clients`, {
    token: t.editor.token,
    json: { phone: PHONE, name: NAME, email: EMAIL, notes: SECRET },
  });
  expect(created.status).toBe(201);
  const clientId: string = created.body.id;
  await sql()`
    insert into public.crm_messages (project_id, client_id, channel_id, direction, wamid, type,
                                     body, content, status, occurred_at)
    values (${t.projectId}, ${clientId}, ${channel!.id}, 'in', ${wamid()}, 'text', ${SECRET},
            ${sql().json({ text: { body: SECRET } })}, 'received', now() - interval '1 minute')`;
  await sql()`
    update public.crm_clients set channel_id = ${channel!.id}, last_inbound_at = now()
     where id = ${clientId}`;
  const send = await api(`/projects/${t.projectId}/clients/${clientId}/messages`, {
    token: t.editor.token,
    json: { type: 'text', text: `Hello ${NAME}` },
  });
  expect(send.status).toBe(202);
  // A delivery from the client through Meta's webhook: stored raw and as an item.
  const raw = JSON.stringify(
    delivery({
      contacts: [{ profile: { name: NAME }, wa_id: p.digits }],
      messages: [
        {
          from: p.digits,
          id: wamid(),
          timestamp: String(Math.floor(Date.now() / 1000)),
          type: 'text',
          text: { body: SECRET },
        },
      ],
    }),
  );
  const hook = await h.fx.call('whatsapp', '/webhook', {
    method: 'POST',
    body: raw,
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': await signatureHeader(APP_SECRET, raw),
    },
  });
  expect(hook.status).toBe(200);
  const doc = await uploadDocument(
    h.fx,
    `/projects/${t.projectId}/clients/${clientId}/documents`,
    t.editor.token,
    {
      bytes: new TextEncoder().encode(`${NAME}: ${SECRET}`),
      type: 'text/plain',
      name: `${marker}-id.txt`,
    },
  );
  expect(doc.status).toBe(201);
  // Reads: each is an access event.
  expect(
    (await api(`/projects/${t.projectId}/clients/${clientId}`, { token: t.viewer.token })).status,
  ).toBe(200);
  expect(
    (await api(`/projects/${t.projectId}/clients/${clientId}/timeline`, { token: t.viewer.token }))
      .status,
  ).toBe(200);
  return { t, p, clientId, documentId: (await doc.json()).id as string };
}

describe('GDPR: access log, export and erase', () => {
  it('exports every record of the client, with working document links and the access log', async () => {
    const { t, p, clientId, documentId } = await clientWithHistory();
    const { NAME, EMAIL, PHONE, SECRET } = p;
    const base = `/projects/${t.projectId}/clients/${clientId}`;
    expect((await api(`${base}/export`, { token: t.viewer.token })).status).toBe(403);
    const res = await api(`${base}/export`, { token: t.editor.token });
    expect(res.status).toBe(200);
    const e = res.body;
    expect(e.client).toMatchObject({
      id: clientId,
      name: NAME,
      email: EMAIL,
      phone: PHONE,
      notes: SECRET,
    });
    expect(e.messages.map((m: { direction: string }) => m.direction)).toEqual(['in', 'out']);
    expect(e.events.map((v: { kind: string }) => v.kind)).toContain('created');
    expect(e.documents).toHaveLength(1);
    expect(e.documents[0]).toMatchObject({ id: documentId, status: 'pending' });
    const file = await h.fetchStorage(e.documents[0].url);
    expect(await file.text()).toBe(`${NAME}: ${SECRET}`);
    // Every read so far, by whom, and this export.
    const log = e.access_log.map((a: { action: string; actor_id: string }) => [
      a.action,
      a.actor_id,
    ]);
    expect(log).toEqual(
      expect.arrayContaining([
        ['read', t.viewer.id],
        ['timeline', t.viewer.id],
        ['export', t.editor.id],
      ]),
    );
    // The same records, counted in the database.
    const [counts] = await sql()<{ messages: number; events: number }[]>`
      select (select count(*)::int from public.crm_messages where client_id = ${clientId}) as messages,
             (select count(*)::int from public.crm_client_events where client_id = ${clientId}) as events`;
    expect(e.messages).toHaveLength(counts!.messages);
    expect(e.events).toHaveLength(counts!.events);

    const audit = await api(`${base}/audit-log?limit=2`, { token: t.owner.token });
    expect(audit.status).toBe(200);
    // Newest first: this read of the log, then the export; the reads before on the next page.
    expect(audit.body.data.map((a: { action: string }) => a.action)).toEqual([
      'audit_log',
      'export',
    ]);
    expect(audit.body.data[0].actor_id).toBe(t.owner.id);
    const next = await api(`${base}/audit-log?limit=50&before=${audit.body.next_cursor}`, {
      token: t.owner.token,
    });
    expect(next.body.data.map((a: { action: string }) => a.action)).toEqual(
      expect.arrayContaining(['timeline', 'read']),
    );
    expect(next.body.next_cursor).toBeNull();
    expect((await api(`${base}/audit-log`, { token: t.viewer.token })).status).toBe(403);
  });

  it('after erase, no table and no file holds the client’s personal data; a tombstone stays', async () => {
    const { t, p, clientId } = await clientWithHistory();
    const needles = [p.NAME, p.EMAIL, p.digits, p.SECRET, p.marker];
    expect(await tablesMentioning(needles)).toEqual(
      expect.arrayContaining([
        'public.crm_clients',
        'public.crm_messages',
        'public.crm_documents',
        'private.whatsapp_intake',
        'private.whatsapp_deliveries',
        'realtime.messages',
      ]),
    );
    expect(await filesMentioning(h.dataDir, needles)).not.toEqual([]);
    const base = `/projects/${t.projectId}/clients/${clientId}`;
    const json = { confirm: true };
    expect(
      (await api(`${base}/erase`, { method: 'POST', token: t.editor.token, json })).status,
    ).toBe(403);
    expect(
      (await api(`${base}/erase`, { method: 'POST', token: t.owner.token, json: {} })).status,
    ).toBe(422);

    const erased = await api(`${base}/erase`, { method: 'POST', token: t.owner.token, json });
    expect(erased.status).toBe(200);
    expect(erased.body.removed).toMatchObject({ messages: 2, documents: 1, objects: 1 });
    expect(erased.body.removed.webhook_items).toBeGreaterThan(0);

    expect(await tablesMentioning(needles)).toEqual([]);
    expect(await filesMentioning(h.dataDir, needles)).toEqual([]);
    const objects = await sql()`
      select 1 from storage.objects where name like ${`${t.projectId}/clients/${clientId}/%`}`;
    expect(objects).toHaveLength(0);

    expect((await api(base, { token: t.owner.token })).status).toBe(404);
    const audit = await api(`${base}/audit-log`, { token: t.owner.token });
    expect(audit.status).toBe(200);
    const tombstone = audit.body.data.find((a: { action: string }) => a.action === 'erase');
    expect(tombstone).toMatchObject({ actor_id: t.owner.id, detail: { messages: 2, objects: 1 } });
    expect((await api(`${base}/audit-log`, { token: t.owner.token.slice(0, -2) })).status).toBe(
      401,
    );
    expect(
      (
        await api(`/projects/${t.projectId}/clients/${randomUUID()}/audit-log`, {
          token: t.owner.token,
        })
      ).status,
    ).toBe(404);
  });
});
