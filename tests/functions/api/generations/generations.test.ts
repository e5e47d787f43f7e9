import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GenerationEvent } from '../../../../shared/generations/events.ts';
import { fixtures, type TestUser, useApi } from '../fixtures.ts';
import { projectFixtures } from '../projects/helpers.ts';

// The generation routes without a worker: what the API writes, replays, streams and cancels.
const fx = useApi();
const { signUp, api } = fixtures(fx);
const { seedProject } = projectFixtures(fx);
const sql = () => fx.auth.db.sql;

let people: Promise<{ owner: TestUser; editor: TestUser; viewer: TestUser }> | undefined;

/** The same three people (signed up once: it is the slow part), in a fresh project each time. */
async function team() {
  people ??= (async () => ({
    owner: await signUp(),
    editor: await signUp(),
    viewer: await signUp(),
  }))();
  const { owner, editor, viewer } = await people;
  const projectId = await seedProject(owner, [
    [editor, 'editor'],
    [viewer, 'viewer'],
  ]);
  return { owner, editor, viewer, projectId };
}

const start = (user: TestUser, projectId: string, json: Record<string, unknown>) =>
  api(`/projects/${projectId}/generations`, { token: user.token, json });

/** Reads an SSE response to its end: the messages' ids, event names and data. */
async function readSse(res: Response) {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => {
      const field = (name: string) =>
        block
          .split('\n')
          .find((l) => l.startsWith(`${name}:`))
          ?.slice(name.length + 1)
          .trim();
      return { id: field('id'), event: field('event'), data: JSON.parse(field('data') ?? '{}') };
    });
}

describe('POST /projects/{id}/generations', () => {
  it('writes the generation, its job and the prompt as a message, and answers 202', async () => {
    const { editor, projectId } = await team();
    const res = await start(editor, projectId, { prompt: '  A todo list app ', preview: true });
    expect(res.status).toBe(202);
    const id = res.body.id;
    expect(res.headers.get('location')).toBe(`../../generations/${id}`);
    expect(
      new URL(res.headers.get('location')!, `http://x/api/projects/${projectId}/generations`)
        .pathname,
    ).toBe(`/api/generations/${id}`);
    expect(res.body).toMatchObject({
      project_id: projectId,
      requested_by: editor.id,
      kind: 'generate',
      status: 'queued',
      prompt: 'A todo list app',
      preview: true,
      cancel_on_disconnect: false,
      last_seq: 1,
    });
    const [job] =
      await sql()`select name, state, singleton_key, data from pgboss.job where id = ${id}`;
    expect(job).toMatchObject({
      name: 'generation',
      state: 'created',
      singleton_key: projectId,
      data: { generation_id: id, project_id: projectId },
    });
    const messages = await sql()`
      select author_id, author_kind, content from public.project_messages where generation_id = ${id}`;
    expect(messages).toEqual([
      { author_id: editor.id, author_kind: 'user', content: 'A todo list app' },
    ]);
    const [audited] = await sql()`
      select action, actor_id from public.audit_log where target_id = ${id}`;
    expect(audited).toMatchObject({ action: 'generation.requested', actor_id: editor.id });
  });

  it('refuses a viewer and writes nothing', async () => {
    const { viewer, projectId } = await team();
    const res = await start(viewer, projectId, { prompt: 'Make it blue' });
    expect(res.status).toBe(403);
    expect(
      await sql()`select 1 from public.code_generations where project_id = ${projectId}`,
    ).toHaveLength(0);
  });

  it.each([
    ['an absolute path', '/etc/passwd'],
    ['a climb out', 'lib/../../secrets'],
    ['a backslash', 'lib\\main.dart'],
    ['the build folder', 'build/web/index.html'],
  ])('refuses a file with %s, by field', async (_, path) => {
    const { owner, projectId } = await team();
    const res = await start(owner, projectId, {
      prompt: 'Fix it',
      kind: 'fix',
      files: [{ path, content: 'x' }],
    });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].path).toBe('body.files.0.path');
  });

  it('refuses an unknown kind and an empty prompt', async () => {
    const { owner, projectId } = await team();
    expect((await start(owner, projectId, { prompt: 'x', kind: 'deploy' })).status).toBe(422);
    expect((await start(owner, projectId, { prompt: '   ' })).status).toBe(422);
  });
});

describe('reading generations', () => {
  it('lists a project’s generations, filtered by status, with the list convention', async () => {
    const { owner, viewer, projectId } = await team();
    const ids: string[] = [];
    for (const prompt of ['One', 'Two', 'Three']) {
      ids.push((await start(owner, projectId, { prompt })).body.id);
    }
    const cancelled = await api(`/generations/${ids[0]}/cancel`, {
      token: owner.token,
      method: 'POST',
    });
    expect(cancelled.status).toBe(200);

    const page1 = await api(`/projects/${projectId}/generations?limit=2`, { token: viewer.token });
    expect(page1.status).toBe(200);
    expect(page1.body.data.map((g: { prompt: string }) => g.prompt)).toEqual(['Three', 'Two']);
    const page2 = await api(
      `/projects/${projectId}/generations?limit=2&cursor=${page1.body.next_cursor}`,
      { token: viewer.token },
    );
    expect(page2.body).toMatchObject({ data: [{ prompt: 'One' }], next_cursor: null });

    const queued = await api(`/projects/${projectId}/generations?status=queued`, {
      token: viewer.token,
    });
    expect(queued.body.data.map((g: { id: string }) => g.id).sort()).toEqual(
      [ids[1], ids[2]].sort(),
    );
    // A cursor of the unfiltered list is refused on the filtered one.
    const foreign = await api(
      `/projects/${projectId}/generations?status=queued&limit=2&cursor=${page1.body.next_cursor}`,
      { token: viewer.token },
    );
    expect(foreign.status).toBe(422);
  });

  it('hides a generation from a stranger exactly like a missing one', async () => {
    const { owner, projectId } = await team();
    const stranger = await signUp();
    const id = (await start(owner, projectId, { prompt: 'Secret app' })).body.id;
    for (const path of [`/generations/${id}`, `/generations/${id}/events`]) {
      const hidden = await api(path, { token: stranger.token });
      const missing = await api(path.replace(id, randomUUID()), { token: stranger.token });
      expect(hidden.status).toBe(404);
      expect(hidden.body.detail).toBe(missing.body.detail);
    }
  });

  it('replays events after a seq, each valid against the shared schema', async () => {
    const { owner, projectId } = await team();
    const id = (await start(owner, projectId, { prompt: 'Replay me' })).body.id;
    await api(`/generations/${id}/cancel`, { token: owner.token, method: 'POST' });
    const all = await api(`/generations/${id}/events`, { token: owner.token });
    expect(all.status).toBe(200);
    const events = all.body.data.map((e: unknown) => GenerationEvent.parse(e));
    expect(events.map((e: GenerationEvent) => [e.seq, e.type])).toEqual([
      [1, 'Status'],
      [2, 'Status'],
      [3, 'Result'],
    ]);
    expect(events[0].data).toEqual({ status: 'queued' });
    expect(events[2].data).toMatchObject({ status: 'cancelled' });
    const rest = await api(`/generations/${id}/events?after=1&limit=1`, { token: owner.token });
    expect(rest.body).toEqual({ data: [all.body.data[1]], next_after: 2 });
  });

  it('streams the same events as SSE, resuming from Last-Event-ID, and ends after the Result', async () => {
    const { owner, projectId } = await team();
    const id = (await start(owner, projectId, { prompt: 'Stream me' })).body.id;
    await api(`/generations/${id}/cancel`, { token: owner.token, method: 'POST' });
    const replay = (await api(`/generations/${id}/events`, { token: owner.token })).body.data;

    const res = await fx.call('api', `/generations/${id}/stream`, { token: owner.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const messages = await readSse(res);
    expect(messages.map((m) => m.data)).toEqual(replay);
    expect(messages.map((m) => [m.id, m.event])).toEqual([
      ['1', 'Status'],
      ['2', 'Status'],
      ['3', 'Result'],
    ]);

    const resumed = await fx.call('api', `/generations/${id}/stream`, {
      token: owner.token,
      headers: { 'last-event-id': '2' },
    });
    expect((await readSse(resumed)).map((m) => m.data)).toEqual([replay[2]]);
  });
});

describe('POST /generations/{id}/cancel', () => {
  it('ends a queued generation at once and cancels its job; a second cancel is a 409', async () => {
    const { editor, projectId } = await team();
    const id = (await start(editor, projectId, { prompt: 'Never mind' })).body.id;
    const res = await api(`/generations/${id}/cancel`, { token: editor.token, method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'cancelled', cancel_requested: true });
    expect(res.body.finished_at).not.toBeNull();
    const [job] = await sql()`select state from pgboss.job where id = ${id}`;
    expect(job!.state).toBe('cancelled');
    const again = await api(`/generations/${id}/cancel`, { token: editor.token, method: 'POST' });
    expect(again.status).toBe(409);
  });

  it('marks a running generation and wakes its worker with NOTIFY', async () => {
    const { owner, projectId } = await team();
    const id = (await start(owner, projectId, { prompt: 'Long one' })).body.id;
    // As the worker would have claimed it.
    await sql()`update public.code_generations set status = 'running', started_at = now()
                where id = ${id}`;
    const heard: string[] = [];
    const listener = await sql().listen('generation_cancel', (payload) => heard.push(payload));
    try {
      const res = await api(`/generations/${id}/cancel`, { token: owner.token, method: 'POST' });
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ status: 'running', cancel_requested: true });
      for (let i = 0; i < 100 && !heard.length; i++) await new Promise((r) => setTimeout(r, 20));
      expect(heard).toEqual([id]);
      const [job] = await sql()`select state from pgboss.job where id = ${id}`;
      expect(job!.state).toBe('created');
    } finally {
      await listener.unlisten();
    }
  });

  it('refuses a viewer', async () => {
    const { owner, viewer, projectId } = await team();
    const id = (await start(owner, projectId, { prompt: 'Keep going' })).body.id;
    const res = await api(`/generations/${id}/cancel`, { token: viewer.token, method: 'POST' });
    expect(res.status).toBe(403);
    const [row] = await sql()`select status from public.code_generations where id = ${id}`;
    expect(row!.status).toBe('queued');
  });
});
