import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { fixtures, type TestUser, useApi } from './fixtures.ts';

const fx = useApi();
const { signUp, admin, api } = fixtures(fx);

type Event = {
  id: string;
  action: string;
  actor_id: string | null;
  occurred_at: string;
  target_id: string;
};

let boss: TestUser | undefined;
const actor = randomUUID();

/**
 * Once, before the first test (Auth is reachable only inside tests, not in beforeAll): an
 * admin, and events written straight into the log at chosen times by one made-up actor.
 */
beforeEach(async () => {
  if (boss) return;
  boss = await admin();
  const rows: Array<[string, string]> = [
    ['user.updated', '2026-03-01T10:00:00Z'],
    ['user.deactivated', '2026-03-02T10:00:00Z'],
    ['user_x.deactivated', '2026-03-02T11:00:00Z'],
    ['session.revoked', '2026-03-03T10:00:00Z'],
    ['session.revoked_others', '2026-03-04T10:00:00Z'],
  ];
  for (const [action, at] of rows) {
    await fx.auth.db.sql`
      insert into public.audit_log (occurred_at, actor_id, actor_type, action, target_type, target_id)
      values (${at}, ${actor}, 'user', ${action}, 'user', ${actor})`;
  }
});

const list = async (query: string) => {
  const res = await api(`/audit-log?actor_id=${actor}&${query}`, { token: boss!.token });
  expect(res.status).toBe(200);
  return res.body as { data: Event[]; next_cursor: string | null };
};

describe('GET /audit-log', () => {
  it('filters by actor, newest first by default', async () => {
    const { data } = await list('');
    expect(data.map((e) => e.action)).toEqual([
      'session.revoked_others',
      'session.revoked',
      'user_x.deactivated',
      'user.deactivated',
      'user.updated',
    ]);
    expect(data.every((e) => e.actor_id === actor)).toBe(true);
  });

  it('matches an action exactly, or as a prefix ending in * (with _ taken literally)', async () => {
    expect((await list('action=session.revoked')).data.map((e) => e.action)).toEqual([
      'session.revoked',
    ]);
    expect((await list('action=session.*')).data).toHaveLength(2);
    expect((await list('action=user.*')).data.map((e) => e.action)).toEqual([
      'user.deactivated',
      'user.updated',
    ]);
    expect((await list('action=user_*')).data.map((e) => e.action)).toEqual(['user_x.deactivated']);
    const bad = await api('/audit-log?action=user%25', { token: boss!.token });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].path).toBe('query.action');
  });

  it('bounds by time: from inclusive, to exclusive', async () => {
    const { data } = await list('from=2026-03-02T10:00:00Z&to=2026-03-04T10:00:00Z&order=asc');
    expect(data.map((e) => e.action)).toEqual([
      'user.deactivated',
      'user_x.deactivated',
      'session.revoked',
    ]);
    expect((await api('/audit-log?from=yesterday', { token: boss!.token })).status).toBe(422);
  });

  it('refuses the year 0000, which PostgreSQL cannot store, with the field path', async () => {
    // Found by the fuzzer: ISO 8601 allows it, and PostgreSQL's refusal used to be a 500.
    for (const field of ['from', 'to']) {
      const res = await api(`/audit-log?${field}=0000-12-31T23:59:59.999Z`, { token: boss!.token });
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([
        { path: `query.${field}`, message: 'The year must be 0001 or later' },
      ]);
    }
    const earliest = await api('/audit-log?from=0001-01-01T00:00:00Z', { token: boss!.token });
    expect(earliest.status).toBe(200);
  });

  it('pages by occurred_at with next_cursor', async () => {
    const first = await list('limit=2');
    const second = await list(`limit=2&cursor=${first.next_cursor}`);
    const third = await list(`limit=2&cursor=${second.next_cursor}`);
    expect(third.next_cursor).toBeNull();
    const ids = [...first.data, ...second.data, ...third.data].map((e) => e.id);
    expect(new Set(ids).size).toBe(5);
  });

  it('records the actions of this API with actor, target and request id', async () => {
    const user = await signUp();
    await api(`/users/${user.id}`, {
      token: boss!.token,
      method: 'PATCH',
      json: { last_name: 'Hopper' },
    });
    const res = await api(`/audit-log?actor_id=${boss!.id}&action=user.updated`, {
      token: boss!.token,
    });
    expect(res.body.data[0]).toMatchObject({
      target_type: 'user',
      target_id: user.id,
      actor_type: 'user',
    });
    expect(res.body.data[0].request_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('is closed to users without audit:read', async () => {
    const user = await signUp();
    expect((await api('/audit-log', { token: user.token })).status).toBe(403);
  });
});
