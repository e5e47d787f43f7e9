import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fixtures, type TestUser, useApi } from '../fixtures.ts';

const fx = useApi();
const { signUp, api } = fixtures(fx);

const create = (user: TestUser, json: Record<string, unknown>) =>
  api('/projects', { token: user.token, json });

async function namesOf(user: TestUser, query: string): Promise<string[]> {
  const res = await api(`/projects?${query}`, { token: user.token });
  expect(res.status).toBe(200);
  return res.body.data.map((p: { name: string }) => p.name);
}

describe('project CRUD', () => {
  it('creates, reads, edits and deletes a project', async () => {
    const me = await signUp();
    const created = await create(me, { name: '  My First Integration  ' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      owner_id: me.id,
      name: 'My First Integration',
      description: null,
      settings: {},
      role: 'owner',
    });
    const id = created.body.id;

    const got = await api(`/projects/${id}`, { token: me.token });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);

    const settings = { flutter_channel: 'beta', sdk: { chat: true } };
    const put = await api(`/projects/${id}`, {
      token: me.token,
      method: 'PUT',
      json: { description: 'For the chat SDK', settings },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      name: 'My First Integration',
      description: 'For the chat SDK',
      settings,
    });
    expect(Date.parse(put.body.updated_at)).toBeGreaterThan(Date.parse(created.body.updated_at));

    const cleared = await api(`/projects/${id}`, {
      token: me.token,
      method: 'PUT',
      json: { description: null },
    });
    expect(cleared.body.description).toBeNull();

    const del = await api(`/projects/${id}`, { token: me.token, method: 'DELETE' });
    expect(del.status).toBe(204);
    expect((await api(`/projects/${id}`, { token: me.token })).status).toBe(404);
  });

  it('lists only the projects you are a member of', async () => {
    const [me, other] = [await signUp(), await signUp()];
    await create(me, { name: 'Mine' });
    await create(other, { name: 'Theirs' });
    const res = await api('/projects', { token: me.token });
    expect(res.body.data.map((p: { name: string }) => p.name)).toEqual(['Mine']);
    expect(res.body.next_cursor).toBeNull();
    expect(res.body.data[0].role).toBe('owner');
  });
});

describe('the project list', () => {
  it('pages with next_cursor, without gaps or repeats', async () => {
    const me = await signUp();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create(me, { name: `P${i}` })).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `limit=2&cursor=${encodeURIComponent(cursor)}` : 'limit=2';
      const res = await api(`/projects?${query}`, { token: me.token });
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((p: { id: string }) => p.id));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    // Newest update first by default.
    expect(seen).toEqual([...ids].reverse());
  });

  it('filters by name, case-insensitively, with % and _ taken literally', async () => {
    const me = await signUp();
    for (const name of ['Alpha 100%', 'alpha_beta', 'alphaXbeta', 'Gamma'])
      await create(me, { name });
    expect((await namesOf(me, 'q=ALPHA')).sort()).toEqual(
      ['Alpha 100%', 'alpha_beta', 'alphaXbeta'].sort(),
    );
    expect(await namesOf(me, 'q=100%25')).toEqual(['Alpha 100%']);
    expect(await namesOf(me, 'q=a_b')).toEqual(['alpha_beta']);
    expect(await namesOf(me, 'q=%25')).toEqual(['Alpha 100%']);
    expect(await namesOf(me, 'q=zeta')).toEqual([]);
  });

  it('sorts by updated_at (default, newest first) or by name, both ways', async () => {
    const me = await signUp();
    const ids: Record<string, string> = {};
    for (const name of ['b', 'c', 'a']) ids[name] = (await create(me, { name })).body.id;
    expect(await namesOf(me, '')).toEqual(['a', 'c', 'b']);
    // Editing a project moves it to the front.
    await api(`/projects/${ids.b}`, {
      token: me.token,
      method: 'PUT',
      json: { settings: { x: 1 } },
    });
    expect(await namesOf(me, '')).toEqual(['b', 'a', 'c']);
    expect(await namesOf(me, 'sort=updated_at&order=asc')).toEqual(['c', 'a', 'b']);
    expect(await namesOf(me, 'sort=name&order=asc')).toEqual(['a', 'b', 'c']);
    expect(await namesOf(me, 'sort=name&order=desc')).toEqual(['c', 'b', 'a']);
    // Paging by name continues where the page ended.
    const first = await api('/projects?sort=name&order=asc&limit=2', { token: me.token });
    const next = encodeURIComponent(first.body.next_cursor);
    expect(await namesOf(me, `sort=name&order=asc&limit=2&cursor=${next}`)).toEqual(['c']);
    // A cursor belongs to its sort.
    const wrong = await api(`/projects?sort=updated_at&cursor=${next}`, { token: me.token });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0].path).toBe('query.cursor');
  });

  it('refuses a limit above 100 and a forged cursor', async () => {
    const me = await signUp();
    const big = await api('/projects?limit=101', { token: me.token });
    expect(big.status).toBe(422);
    expect(big.body.errors.map((e: { path: string }) => e.path)).toEqual(['query.limit']);
    const forged = await api('/projects?cursor=bm90LWEtY3Vyc29yLWF0LWFsbC1ub3Qtb25l', {
      token: me.token,
    });
    expect(forged.status).toBe(422);
    expect(forged.body.errors[0].path).toBe('query.cursor');
  });
});

describe('project validation', () => {
  const paths = (res: { body: { errors?: Array<{ path: string }> } }) =>
    (res.body.errors ?? []).map((e) => e.path);

  it.each([
    [{}, 'body.name'],
    [{ name: '   ' }, 'body.name'],
    [{ name: 'x'.repeat(121) }, 'body.name'],
    [{ name: 'ok', description: 'd'.repeat(2001) }, 'body.description'],
    [{ name: 'ok', settings: [1, 2] }, 'body.settings'],
    [{ name: 'ok', settings: 'dark' }, 'body.settings'],
    [{ name: 'ok', settings: null }, 'body.settings'],
    [{ name: 'ok', settings: { blob: 'x'.repeat(70_000) } }, 'body.settings'],
    [{ name: 'ok', owner_id: randomUUID() }, 'body.owner_id'],
  ])('create %j → 422 at %s', async (json, path) => {
    const me = await signUp();
    const res = await create(me, json);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('validation_failed');
    expect(paths(res)).toContain(path);
  });

  it('reports settings the database finds too large at body.settings, no SQL message', async () => {
    const me = await signUp();
    // Under 64 KB as compact JSON, over it as PostgreSQL prints jsonb (a space after : and ,).
    const settings = Object.fromEntries(Array.from({ length: 6000 }, (_, i) => [`k${i}`, 1]));
    expect(JSON.stringify(settings).length).toBeLessThan(65_536);
    const res = await create(me, { name: 'Big', settings });
    expect(res.status).toBe(422);
    expect(paths(res)).toEqual(['body.settings']);
    expect(JSON.stringify(res.body)).not.toMatch(/projects_settings|constraint|violat/i);
  });

  it('refuses an empty edit, unknown fields and a malformed id', async () => {
    const me = await signUp();
    const { id } = (await create(me, { name: 'Edit me' })).body;
    const empty = await api(`/projects/${id}`, { token: me.token, method: 'PUT', json: {} });
    expect(empty.status).toBe(422);
    const owner = await api(`/projects/${id}`, {
      token: me.token,
      method: 'PUT',
      json: { owner_id: randomUUID() },
    });
    expect(owner.status).toBe(422);
    const settings = await api(`/projects/${id}`, {
      token: me.token,
      method: 'PUT',
      json: { settings: [] },
    });
    expect(paths(settings)).toEqual(['body.settings']);
    const bad = await api('/projects/not-a-uuid', { token: me.token });
    expect(bad.status).toBe(422);
    expect(paths(bad)).toEqual(['param.id']);
  });
});
