import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_SERVICE_ROLE_KEY } from '../../scripts/local/keys.ts';
import { appClient } from '../helpers/browser.ts';
import { useLocalStack } from '../helpers/stack.ts';
import { until } from '../helpers/worker.ts';

// The CRM as a team meets it on `npm run dev`: the whole stack with its worker, a number
// connected to a project, a client writing in through the Graph API emulator, the inbox
// open on Realtime, a reply the emulator marks read. Only the emulator's own pauses (about
// 1.5 s until `read`) are waited for.
const h = useLocalStack({}, { worker: { env: { POLL_INTERVAL_S: '0.5', LOG_LEVEL: 'silent' } } });
const url = () => h.stack.gatewayUrl;
const PASSWORD = 'correct-horse-battery';
const PHONE_NUMBER_ID = '106540352242922';
const clients: SupabaseClient[] = [];

afterAll(async () => {
  for (const c of clients) await c.removeAllChannels();
});

async function user(name: string) {
  const email = `${name}-${Date.now()}@example.com`;
  const admin = appClient(url(), { key: DEMO_SERVICE_ROLE_KEY });
  const created = await admin.auth.admin.createUser({
    email,
    password: PASSWORD,
    email_confirm: true,
  });
  expect(created.error).toBeNull();
  const client = appClient(url(), { vsn: '2.0.0' });
  clients.push(client);
  const { data, error } = await client.auth.signInWithPassword({ email, password: PASSWORD });
  expect(error).toBeNull();
  const token = data.session?.access_token as string;
  await client.realtime.setAuth(token);
  const api = async (path: string, init: { method?: string; json?: unknown } = {}) => {
    const res = await fetch(`${url()}/functions/v1/api${path}`, {
      method: init.method ?? (init.json ? 'POST' : 'GET'),
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: init.json ? JSON.stringify(init.json) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return { id: data.user?.id as string, client, api };
}

/** Subscribes to the inbox channel; resolves with what it receives, or rejects on refusal. */
function inbox(client: SupabaseClient, projectId: string) {
  const got: Array<{ event: string; payload: Record<string, unknown> }> = [];
  const channel: RealtimeChannel = client.channel(`crm:${projectId}`, {
    config: { private: true },
  });
  channel.on('broadcast', { event: '*' }, (m) => got.push({ event: m.event, payload: m.payload }));
  const joined = new Promise<void>((ok, fail) =>
    channel.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') ok();
      else if (status !== 'CLOSED') fail(err ?? new Error(status));
    }),
  );
  return { got, joined };
}

describe('the CRM end to end', () => {
  it('takes a message in, shows it live, and sends a reply that ends read', async () => {
    const owner = await user('owner');
    const viewer = await user('viewer');
    const stranger = await user('stranger');
    const project = await owner.api('/projects', { json: { name: 'Regularisation desk' } });
    expect(project.status).toBe(201);
    const projectId = project.body.id as string;
    const shared = await owner.api(`/projects/${projectId}/members`, {
      json: { user_id: viewer.id, role: 'viewer' },
    });
    expect(shared.status).toBe(201);
    const channel = await owner.api(`/projects/${projectId}/channels`, {
      json: { phone_number_id: PHONE_NUMBER_ID, name: 'Front desk', access_token: 'EAA-local' },
    });
    expect(channel.status).toBe(201);

    const open = inbox(owner.client, projectId);
    await open.joined;
    const peek = inbox(stranger.client, projectId);
    await expect(peek.joined).rejects.toThrow();

    const written = await fetch(`${url()}/graph/_emulator/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        phone_number_id: PHONE_NUMBER_ID,
        from: '+34 611 222 333',
        name: 'Amina',
        text: 'Hola, ¿está lista mi cita?',
      }),
    });
    expect(written.status).toBe(200);
    expect((await written.json()).webhook_status).toBe(200);

    await until(
      async () => open.got.find((m) => m.event === 'message'),
      (m) => m !== undefined,
      15_000,
      'the message in the open inbox',
    );
    const live = open.got.find((m) => m.event === 'message');
    expect(live!.payload).toMatchObject({ direction: 'in', body: 'Hola, ¿está lista mi cita?' });
    const list = await owner.api(`/projects/${projectId}/clients`);
    expect(list.body.data).toMatchObject([{ phone: '+34611222333', name: 'Amina', status: 'new' }]);
    const clientId = list.body.data[0].id as string;

    expect((await stranger.api(`/projects/${projectId}/clients`)).status).toBe(404);
    expect((await stranger.api(`/projects/${projectId}/clients/${clientId}/timeline`)).status).toBe(
      404,
    );
    const refused = await viewer.api(`/projects/${projectId}/clients/${clientId}/messages`, {
      json: { type: 'text', text: 'Sí' },
    });
    expect(refused.status).toBe(403);

    const reply = await owner.api(`/projects/${projectId}/clients/${clientId}/messages`, {
      json: { type: 'text', text: 'Sí, mañana a las 10.' },
    });
    expect(reply.status).toBe(202);
    const timeline = await until(
      () => viewer.api(`/projects/${projectId}/clients/${clientId}/timeline`),
      (t) =>
        t.body.data.some(
          (e: { id: string; status: string }) => e.id === reply.body.id && e.status === 'read',
        ),
      15_000,
      'the reply to be read',
    );
    const sent = timeline.body.data.find((e: { id: string }) => e.id === reply.body.id);
    expect(sent).toMatchObject({ direction: 'out', body: 'Sí, mañana a las 10.', status: 'read' });
    expect(Object.keys(sent.statuses).sort()).toEqual(['delivered', 'read', 'sent']);
    expect(sent.attempts).toMatchObject([{ attempt: 1, http_status: 200 }]);
    const updates = open.got.filter(
      (m) => m.event === 'message_updated' && m.payload.id === reply.body.id,
    );
    expect(updates.map((m) => m.payload.status)).toContain('read');
    expect(peek.got).toEqual([]);
  });
});
