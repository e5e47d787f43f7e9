import { describe, expect, it } from 'vitest';
import { crmFixtures, newPhone, useCrmApi } from './helpers.ts';

const fx = useCrmApi();
const { team, client, api, sql } = crmFixtures(fx);

const clients = (projectId: string) => `/projects/${projectId}/clients`;

describe('POST /projects/{id}/clients', () => {
  it('adds a client with the phone stored as E.164, and refuses a phone or email taken', async () => {
    const t = await team();
    const created = await api(clients(t.projectId), {
      token: t.editor.token,
      json: {
        phone: '+34 612-34 56 78',
        name: ' Amina ',
        email: 'Amina@Example.com',
        tags: ['vip', 'vip'],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      phone: '+34612345678',
      name: 'Amina',
      email: 'Amina@Example.com',
      status: 'new',
      tags: ['vip'],
      profile_type: null,
      service_window_closes_at: null,
    });

    const samePhone = await api(clients(t.projectId), {
      token: t.owner.token,
      json: { phone: '0034612345678' },
    });
    expect(samePhone.status).toBe(409);
    expect(samePhone.body.errors).toEqual([
      { path: 'body.phone', message: 'A client of this project already has that phone number' },
    ]);

    const sameEmail = await api(clients(t.projectId), {
      token: t.owner.token,
      json: { phone: newPhone(), email: 'amina@EXAMPLE.com' },
    });
    expect(sameEmail.status).toBe(409);
    expect(sameEmail.body.code).toBe('conflict');
    expect(sameEmail.body.errors[0].path).toBe('body.email');

    // Many clients may have no email at all.
    for (let i = 0; i < 2; i++) {
      const res = await api(clients(t.projectId), {
        token: t.owner.token,
        json: { phone: newPhone() },
      });
      expect(res.status).toBe(201);
      expect(res.body.email).toBeNull();
    }
    // The same phone in another project is another client.
    const other = await team();
    const elsewhere = await api(clients(other.projectId), {
      token: other.owner.token,
      json: { phone: '+34612345678', email: 'amina@example.com' },
    });
    expect(elsewhere.status).toBe(201);
  });

  it('refuses a number without a country code, a viewer, and a stranger', async () => {
    const t = await team();
    const local = await api(clients(t.projectId), {
      token: t.owner.token,
      json: { phone: '612345678' },
    });
    expect(local.status).toBe(422);
    expect(local.body.errors[0].path).toBe('body.phone');
    const viewer = await api(clients(t.projectId), {
      token: t.viewer.token,
      json: { phone: newPhone() },
    });
    expect(viewer.status).toBe(403);
    const stranger = await api(clients(t.projectId), {
      token: t.stranger.token,
      json: { phone: newPhone() },
    });
    expect(stranger.status).toBe(404);
    const [row] =
      await sql()`select count(*)::int as n from public.crm_clients where project_id = ${t.projectId}`;
    expect(row!.n).toBe(0);
  });
});

describe('GET /projects/{id}/clients', () => {
  it('searches names, emails and phone digits, filters, and pages with the list convention', async () => {
    const t = await team();
    await client(t.projectId, {
      name: 'Amina Diallo',
      phone: '+34612000111',
      email: 'amina@mail.example',
    });
    await client(t.projectId, {
      name: 'Bruno Díaz',
      phone: '+34699000222',
      email: 'bd@work.example',
    });
    await client(t.projectId, { name: 'Chen Wei', phone: '+8613800000333' });
    const names = async (query: string) => {
      const res = await api(`${clients(t.projectId)}?${query}`, { token: t.viewer.token });
      expect(res.status).toBe(200);
      return (res.body.data as Array<{ name: string }>).map((c) => c.name).sort();
    };
    expect(await names('q=AMINA')).toEqual(['Amina Diallo']);
    expect(await names('q=work.exam')).toEqual(['Bruno Díaz']);
    expect(await names(`q=${encodeURIComponent('+86 138')}`)).toEqual(['Chen Wei']);
    expect(await names('q=000')).toEqual(['Amina Diallo', 'Bruno Díaz', 'Chen Wei']);
    expect(await names('q=nobody')).toEqual([]);

    const first = await api(`${clients(t.projectId)}?sort=name&order=asc&limit=2`, {
      token: t.viewer.token,
    });
    expect(first.body.data.map((c: { name: string }) => c.name)).toEqual([
      'Amina Diallo',
      'Bruno Díaz',
    ]);
    const second = await api(
      `${clients(t.projectId)}?sort=name&order=asc&limit=2&cursor=${first.body.next_cursor}`,
      { token: t.viewer.token },
    );
    expect(second.body).toMatchObject({ data: [{ name: 'Chen Wei' }], next_cursor: null });
    // A cursor belongs to its list: the same one with a search is refused.
    const foreign = await api(
      `${clients(t.projectId)}?sort=name&order=asc&limit=2&q=a&cursor=${first.body.next_cursor}`,
      { token: t.viewer.token },
    );
    expect(foreign.status).toBe(422);
    expect(foreign.body.errors[0].path).toBe('query.cursor');

    const hidden = await api(clients(t.projectId), { token: t.stranger.token });
    expect(hidden.status).toBe(404);
  });
});

describe('PATCH and DELETE /projects/{id}/clients/{clientId}', () => {
  it('records a profile type set by hand, and who set it, on the timeline', async () => {
    const t = await team();
    const id = await client(t.projectId);
    const res = await api(`${clients(t.projectId)}/${id}`, {
      method: 'PATCH',
      token: t.editor.token,
      json: { profile_type: 'work_permit', status: 'active' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      profile_type: 'work_permit',
      profile_source: 'manual',
      status: 'active',
    });
    const timeline = await api(`${clients(t.projectId)}/${id}/timeline`, { token: t.viewer.token });
    const events = timeline.body.data.filter((e: { entry: string }) => e.entry === 'event');
    expect(events.map((e: { kind: string }) => e.kind).sort()).toEqual([
      'created',
      'profile_changed',
      'status_changed',
    ]);
    const changed = events.find((e: { kind: string }) => e.kind === 'profile_changed');
    expect(changed).toMatchObject({
      actor_id: t.editor.id,
      data: { from: null, to: 'work_permit', source: 'manual' },
    });
    const viewer = await api(`${clients(t.projectId)}/${id}`, {
      method: 'PATCH',
      token: t.viewer.token,
      json: { name: 'Someone else' },
    });
    expect(viewer.status).toBe(403);
  });

  it('archives by default, and removes with hard=true&confirm=true only', async () => {
    const t = await team();
    const id = await client(t.projectId);
    await sql()`
      insert into public.crm_messages (project_id, client_id, direction, type, body, status, occurred_at)
      values (${t.projectId}, ${id}, 'in', 'text', 'Hello', 'received', now())`;

    expect(
      (await api(`${clients(t.projectId)}/${id}`, { method: 'DELETE', token: t.viewer.token }))
        .status,
    ).toBe(403);
    const archived = await api(`${clients(t.projectId)}/${id}`, {
      method: 'DELETE',
      token: t.editor.token,
    });
    expect(archived.status).toBe(204);
    expect((await api(clients(t.projectId), { token: t.owner.token })).body.data).toEqual([]);
    const listed = await api(`${clients(t.projectId)}?status=archived`, { token: t.owner.token });
    expect(listed.body.data).toMatchObject([{ id, status: 'archived' }]);
    // Giving a status brings them back.
    const restored = await api(`${clients(t.projectId)}/${id}`, {
      method: 'PATCH',
      token: t.editor.token,
      json: { status: 'active' },
    });
    expect(restored.body).toMatchObject({ status: 'active', archived_at: null });

    const unconfirmed = await api(`${clients(t.projectId)}/${id}?hard=true`, {
      method: 'DELETE',
      token: t.owner.token,
    });
    expect(unconfirmed.status).toBe(422);
    expect(unconfirmed.body.errors[0].path).toBe('query.confirm');

    const removed = await api(`${clients(t.projectId)}/${id}?hard=true&confirm=true`, {
      method: 'DELETE',
      token: t.owner.token,
    });
    expect(removed.status).toBe(204);
    const [left] = await sql()`
      select (select count(*)::int from public.crm_clients where id = ${id}) as clients,
             (select count(*)::int from public.crm_messages where client_id = ${id}) as messages,
             (select count(*)::int from public.crm_client_events where client_id = ${id}) as events,
             (select count(*)::int from pgboss.job where name = 'crm.purge'
                 and data = ${sql().json({ project_id: t.projectId, client_id: id })}) as purges`;
    expect(left).toEqual({ clients: 0, messages: 0, events: 0, purges: 1 });
    const audit = await sql()`
      select action from public.audit_log where target_id = ${id} order by id`;
    expect(audit.map((a) => a.action)).toEqual(['crm.client_archived', 'crm.client_deleted']);
    expect((await api(`${clients(t.projectId)}/${id}`, { token: t.owner.token })).status).toBe(404);
  });
});
