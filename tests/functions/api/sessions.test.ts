import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fixtures, useApi } from './fixtures.ts';

const fx = useApi();
const { signUp, signIn, admin, api } = fixtures(fx);

type Item = {
  id: string;
  current: boolean;
  device: string | null;
  aal: string;
  last_refreshed_at: string | null;
};

describe('GET /sessions', () => {
  it('lists your sessions, newest first, marking the current one', async () => {
    const me = await signUp();
    const second = await signIn(me.email);
    const res = await api('/sessions', { token: second.token });
    expect(res.status).toBe(200);
    expect(res.body.next_cursor).toBeNull();
    const items: Item[] = res.body.data;
    expect(items.map((s) => s.id)).toEqual([second.sessionId, me.sessionId]);
    expect(items.map((s) => s.current)).toEqual([true, false]);
    expect(items[0]).toMatchObject({ aal: 'aal1' });
    expect(Object.keys(items[0]!).sort()).toEqual(
      ['aal', 'created_at', 'current', 'device', 'id', 'ip', 'last_refreshed_at'].sort(),
    );
  });

  it('pages with the list convention', async () => {
    const me = await signUp();
    await signIn(me.email);
    await signIn(me.email);
    const first = await api('/sessions?limit=2&order=asc', { token: me.token });
    expect(first.body.data).toHaveLength(2);
    expect(first.body.data[0].id).toBe(me.sessionId);
    const rest = await api(`/sessions?limit=2&order=asc&cursor=${first.body.next_cursor}`, {
      token: me.token,
    });
    expect(rest.body.data).toHaveLength(1);
    expect(rest.body.next_cursor).toBeNull();
  });

  it("lists another user's sessions only with sessions:read", async () => {
    const boss = await admin();
    const user = await signUp();
    const other = await signUp();
    const asAdmin = await api(`/sessions?user_id=${user.id}`, { token: boss.token });
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body.data).toMatchObject([{ id: user.sessionId, current: false }]);
    const asPeer = await api(`/sessions?user_id=${user.id}`, { token: other.token });
    expect(asPeer.status).toBe(403);
  });
});

describe('DELETE /sessions/{id}', () => {
  it('ends one of your sessions: its refresh and its access token stop working', async () => {
    const me = await signUp();
    const other = await signIn(me.email);
    expect((await api('/users/me', { token: other.token })).status).toBe(200);
    const res = await api(`/sessions/${other.sessionId}`, { token: me.token, method: 'DELETE' });
    expect(res.status).toBe(204);
    expect((await api('/users/me', { token: other.token })).status).toBe(401);
    expect(
      (await fx.auth.client().auth.refreshSession({ refresh_token: other.refreshToken })).error
        ?.code,
    ).toBe('refresh_token_not_found');
    expect((await api('/users/me', { token: me.token })).status).toBe(200);
    const [event] = await fx.auth.db.sql`
      select actor_id, target_type from public.audit_log where action = 'session.revoked' and target_id = ${other.sessionId}`;
    expect(event).toMatchObject({ actor_id: me.id, target_type: 'session' });
  });

  it("answers 404 for someone else's session and for none at all; an admin may end any", async () => {
    const me = await signUp();
    const victim = await signUp();
    const theirs = await api(`/sessions/${victim.sessionId}`, {
      token: me.token,
      method: 'DELETE',
    });
    const missing = await api(`/sessions/${randomUUID()}`, { token: me.token, method: 'DELETE' });
    expect(theirs.status).toBe(404);
    expect(missing.status).toBe(404);
    expect({ ...theirs.body, request_id: '' }).toEqual({ ...missing.body, request_id: '' });
    expect((await api('/users/me', { token: victim.token })).status).toBe(200);

    const boss = await admin();
    expect(
      (await api(`/sessions/${victim.sessionId}`, { token: boss.token, method: 'DELETE' })).status,
    ).toBe(204);
    expect((await api('/users/me', { token: victim.token })).status).toBe(401);
  });
});

describe('DELETE /sessions', () => {
  it('ends every other session of yours, and only yours', async () => {
    const me = await signUp();
    const a = await signIn(me.email);
    const b = await signIn(me.email);
    const bystander = await signUp();
    const res = await api('/sessions', { token: me.token, method: 'DELETE' });
    expect(res).toMatchObject({ status: 200, body: { revoked: 2 } });
    expect((await api('/users/me', { token: a.token })).status).toBe(401);
    expect((await api('/users/me', { token: b.token })).status).toBe(401);
    const left = await api('/sessions', { token: me.token });
    expect(left.body.data).toMatchObject([{ id: me.sessionId, current: true }]);
    expect((await api('/users/me', { token: bystander.token })).status).toBe(200);
    const [event] = await fx.auth.db.sql`
      select metadata from public.audit_log where action = 'session.revoked_others' and actor_id = ${me.id}`;
    expect(event?.metadata).toEqual({ count: 2 });
  });
});
