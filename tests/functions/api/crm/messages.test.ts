import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../helpers/clock.ts';
import { crmFixtures, useCrmApi } from './helpers.ts';

// Sending as the team does, with the 24-hour window decided by a clock the tests move.
const clock = new ManualClock();
const fx = useCrmApi({ clock });
const { team, channel, client, api, sql } = crmFixtures(fx);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const messagesOf = (projectId: string, clientId: string) =>
  `/projects/${projectId}/clients/${clientId}/messages`;

async function template(projectId: string, token: string, json: Record<string, unknown>) {
  const res = await api(`/projects/${projectId}/templates`, { token, json });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describe('POST /projects/{id}/clients/{clientId}/messages', () => {
  it('queues free text inside the 24-hour window with its job, and refuses it after', async () => {
    const t = await team();
    const channelId = await channel(t);
    // They wrote 23 h 50 min ago: ten minutes of the window are left.
    const clientId = await client(t.projectId, {
      channelId,
      inboundAt: new Date(clock.now() - 24 * HOUR + 10 * MINUTE),
    });
    const sent = await api(messagesOf(t.projectId, clientId), {
      token: t.editor.token,
      json: { type: 'text', text: 'Your appointment is confirmed.' },
    });
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({
      direction: 'out',
      type: 'text',
      body: 'Your appointment is confirmed.',
      status: 'queued',
      channel_id: channelId,
      sent_by: t.editor.id,
      wamid: null,
    });
    const [job] =
      await sql()`select data from pgboss.job where name = 'whatsapp.send' and id = ${sent.body.id}`;
    expect(job!.data).toEqual({ message_id: sent.body.id });

    // Twenty minutes later (the users' tokens, valid for an hour, still are).
    clock.advance(20 * MINUTE);
    const late = await api(messagesOf(t.projectId, clientId), {
      token: t.editor.token,
      json: { type: 'text', text: 'Are you there?' },
    });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('template_required');
    const [n] =
      await sql()`select count(*)::int as n from public.crm_messages where client_id = ${clientId}`;
    expect(n!.n).toBe(1);
  });

  it('sends an approved template outside the window, rendered, and checks its parameters', async () => {
    const t = await team();
    await channel(t);
    const clientId = await client(t.projectId);
    const templateId = await template(t.projectId, t.owner.token, {
      name: 'appointment_reminder',
      language: 'en_US',
      kind: 'template',
      body: 'Hello {{1}}, see you on {{ date }}.',
      parameters: [{ name: '1' }, { name: 'date', example: 'Monday' }],
      buttons: [{ type: 'quick_reply', text: 'Confirm', payload: 'confirm' }],
    });
    const missing = await api(messagesOf(t.projectId, clientId), {
      token: t.owner.token,
      json: { type: 'template', template_id: templateId, parameters: { '1': 'Amina', extra: 'x' } },
    });
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual([
      { path: 'body.parameters.date', message: 'Required' },
      { path: 'body.parameters.extra', message: 'Not a parameter of the template' },
    ]);
    const sent = await api(messagesOf(t.projectId, clientId), {
      token: t.owner.token,
      json: {
        type: 'template',
        template_id: templateId,
        parameters: { '1': 'Amina', date: 'Monday' },
      },
    });
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({ type: 'template', body: 'Hello Amina, see you on Monday.' });
    const [row] = await sql()`select content from public.crm_messages where id = ${sent.body.id}`;
    expect(row!.content).toMatchObject({
      type: 'template',
      template: {
        name: 'appointment_reminder',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Amina' },
              { type: 'text', text: 'Monday', parameter_name: 'date' },
            ],
          },
          {
            type: 'button',
            sub_type: 'quick_reply',
            index: 0,
            parameters: [{ type: 'payload', payload: 'confirm' }],
          },
        ],
      },
    });
  });

  it('treats interactive buttons and lists as free-form: the window applies', async () => {
    const t = await team();
    const channelId = await channel(t);
    const templateId = await template(t.projectId, t.owner.token, {
      name: 'pick_a_slot',
      language: 'es',
      kind: 'buttons',
      body: '¿Cuándo le viene bien?',
      buttons: [
        { type: 'reply', id: 'am', title: 'Mañana' },
        { type: 'reply', id: 'pm', title: 'Tarde' },
      ],
    });
    const closed = await client(t.projectId, {
      channelId,
      inboundAt: new Date(clock.now() - 25 * HOUR),
    });
    const refused = await api(messagesOf(t.projectId, closed), {
      token: t.owner.token,
      json: { type: 'template', template_id: templateId },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('template_required');
    const open = await client(t.projectId, { channelId, inboundAt: new Date(clock.now() - HOUR) });
    const sent = await api(messagesOf(t.projectId, open), {
      token: t.owner.token,
      json: { type: 'template', template_id: templateId },
    });
    expect(sent.status).toBe(202);
    const [row] = await sql()`select content from public.crm_messages where id = ${sent.body.id}`;
    expect(row!.content).toMatchObject({
      type: 'interactive',
      interactive: {
        type: 'button',
        action: { buttons: [{ reply: { id: 'am' } }, { reply: { id: 'pm' } }] },
      },
    });
  });

  it('refuses a viewer, a stranger, an archived client, and a project with no number', async () => {
    const t = await team();
    const bare = await client(t.projectId, { inboundAt: new Date(clock.now()) });
    const noNumber = await api(messagesOf(t.projectId, bare), {
      token: t.owner.token,
      json: { type: 'text', text: 'Hi' },
    });
    expect(noNumber.status).toBe(409);
    const channelId = await channel(t);
    const clientId = await client(t.projectId, { channelId, inboundAt: new Date(clock.now()) });
    const json = { type: 'text', text: 'Hi' };
    expect(
      (await api(messagesOf(t.projectId, clientId), { token: t.viewer.token, json })).status,
    ).toBe(403);
    expect(
      (await api(messagesOf(t.projectId, clientId), { token: t.stranger.token, json })).status,
    ).toBe(404);
    await api(`/projects/${t.projectId}/clients/${clientId}`, {
      method: 'DELETE',
      token: t.owner.token,
    });
    const archived = await api(messagesOf(t.projectId, clientId), { token: t.owner.token, json });
    expect(archived.status).toBe(409);
    const [n] =
      await sql()`select count(*)::int as n from public.crm_messages where project_id = ${t.projectId}`;
    expect(n!.n).toBe(0);
  });
});
