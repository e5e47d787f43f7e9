import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fixtures, useApi } from './fixtures.ts';

const fx = useApi();
const { signUp, admin, api } = fixtures(fx);

describe('GET and PUT /users/me', () => {
  it('reads your own profile with your email', async () => {
    const me = await signUp({ username: `me_${randomUUID().slice(0, 8)}` });
    const res = await api('/users/me', { token: me.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: me.id,
      email: me.email,
      is_active: true,
      first_name: null,
    });
  });

  it('updates the given fields, clears with null, and leaves the rest', async () => {
    const me = await signUp();
    const username = `ada_${randomUUID().slice(0, 8)}`;
    const put = await api('/users/me', {
      token: me.token,
      method: 'PUT',
      json: {
        username,
        first_name: 'Ada',
        last_name: 'Lovelace',
        avatar_url: 'https://cdn.example.com/a.png',
      },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ username, first_name: 'Ada', last_name: 'Lovelace' });
    const again = await api('/users/me', {
      token: me.token,
      method: 'PUT',
      json: { last_name: null },
    });
    expect(again.body).toMatchObject({ username, first_name: 'Ada', last_name: null });
    const [event] = await fx.auth.db.sql`
      select actor_id, target_id, request_id from public.audit_log
       where action = 'user.updated' and target_id = ${me.id} order by id limit 1`;
    expect(event).toMatchObject({ actor_id: me.id, target_id: me.id });
    expect(event?.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses is_active (and unknown fields) from the user, and it stays true', async () => {
    const me = await signUp();
    const res = await api('/users/me', {
      token: me.token,
      method: 'PUT',
      json: { is_active: false },
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('validation_failed');
    const [row] = await fx.auth.db.sql`select is_active from public.profiles where id = ${me.id}`;
    expect(row?.is_active).toBe(true);
  });

  it('answers a taken username with 409 and invalid fields with 422 and their paths', async () => {
    const taken = `taken_${randomUUID().slice(0, 8)}`;
    await signUp({ username: taken });
    const me = await signUp();
    const conflict = await api('/users/me', {
      token: me.token,
      method: 'PUT',
      json: { username: taken },
    });
    expect(conflict.status).toBe(409);
    expect(JSON.stringify(conflict.body)).not.toMatch(/duplicate|constraint|profiles/);
    const bad = await api('/users/me', {
      token: me.token,
      method: 'PUT',
      json: { username: 'No Spaces', avatar_url: 'javascript:alert(1)' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'body.avatar_url',
      'body.username',
    ]);
  });
});

describe('GET /users (list convention)', () => {
  it('pages a search across pages with next_cursor, without gaps or repeats', async () => {
    const boss = await admin();
    const tag = `pg${randomUUID().slice(0, 6)}`;
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await signUp({ username: `${tag}_${i}` }));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?q=${tag}&limit=2&sort=username&order=asc${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await api(`/users${query}`, { token: boss.token });
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((u: { username: string }) => u.username));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(made.map((_, i) => `${tag}_${i}`));
  });

  it('searches by email as well, case-insensitively, and takes LIKE wildcards literally', async () => {
    const boss = await admin();
    const email = `Find.Me-${randomUUID().slice(0, 8)}@example.com`;
    const user = await signUp({ email });
    const res = await api(`/users?q=${encodeURIComponent(email.toUpperCase())}`, {
      token: boss.token,
    });
    expect(res.body.data.map((u: { id: string }) => u.id)).toEqual([user.id]);
    expect(res.body.next_cursor).toBeNull();
    const wild = await api('/users?q=%25', { token: boss.token });
    expect(wild.body.data).toEqual([]);
  });

  it('rejects a tampered cursor, and a cursor reused with another sort, with 422 at query.cursor', async () => {
    const boss = await admin();
    await signUp();
    const first = await api('/users?limit=1', { token: boss.token });
    const cursor: string = first.body.next_cursor;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const tampered = `${cursor.slice(0, 4)}${cursor[4] === 'x' ? 'y' : 'x'}${cursor.slice(5)}`;
    for (const path of [
      `/users?cursor=${tampered}`,
      `/users?cursor=${cursor}&sort=username`,
      '/users?cursor=%7B%7D',
    ]) {
      const res = await api(path, { token: boss.token });
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([{ path: 'query.cursor', message: expect.any(String) }]);
    }
    const limit = await api('/users?limit=101', { token: boss.token });
    expect(limit.body.errors[0].path).toBe('query.limit');
  });
});

describe('admin GET, PATCH, DELETE /users/{id}', () => {
  it('gets any user, and 404 for an unknown id', async () => {
    const boss = await admin();
    const user = await signUp();
    expect((await api(`/users/${user.id}`, { token: boss.token })).body).toMatchObject({
      id: user.id,
      email: user.email,
    });
    const missing = await api(`/users/${randomUUID()}`, { token: boss.token });
    expect(missing.status).toBe(404);
    expect((await api('/users/not-a-uuid', { token: boss.token })).status).toBe(422);
  });

  it('patches profile fields and audits user.updated', async () => {
    const boss = await admin();
    const user = await signUp();
    const res = await api(`/users/${user.id}`, {
      token: boss.token,
      method: 'PATCH',
      json: { first_name: 'Grace' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: user.id, first_name: 'Grace', is_active: true });
    const [event] = await fx.auth.db.sql`
      select actor_id, metadata from public.audit_log where action = 'user.updated' and target_id = ${user.id}`;
    expect(event).toMatchObject({ actor_id: boss.id, metadata: { fields: ['first_name'] } });
  });

  it('deletes a user through Auth; the profile goes by cascade; 404 after', async () => {
    const boss = await admin();
    const user = await signUp();
    expect((await api(`/users/${user.id}`, { token: boss.token, method: 'DELETE' })).status).toBe(
      204,
    );
    expect(await fx.auth.db.sql`select 1 from public.profiles where id = ${user.id}`).toHaveLength(
      0,
    );
    expect(await fx.auth.db.sql`select 1 from auth.users where id = ${user.id}`).toHaveLength(0);
    expect((await api(`/users/${user.id}`, { token: boss.token, method: 'DELETE' })).status).toBe(
      404,
    );
    expect((await api('/users/me', { token: user.token })).status).toBe(401);
    const [event] = await fx.auth.db.sql`
      select actor_id from public.audit_log where action = 'user.deleted' and target_id = ${user.id}`;
    expect(event?.actor_id).toBe(boss.id);
    expect((await api(`/users/${boss.id}`, { token: boss.token, method: 'DELETE' })).status).toBe(
      409,
    );
  });
});
