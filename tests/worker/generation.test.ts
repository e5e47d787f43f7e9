import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BYLINE } from '../../scripts/emulators/llm/flutter-app.ts';
import { GenerationEvent } from '../../shared/generations/events.ts';
import { runningMembers } from '../../worker/toolchain/process-group.ts';
import { useTestDatabase } from '../helpers/db.ts';
import {
  ended,
  eventsOf,
  startGeneration,
  until,
  useLlmServer,
  useWorker,
} from '../helpers/worker.ts';
import { createAuthUser } from '../integration/identity/fixtures.ts';
import { createProject } from '../integration/projects/fixtures.ts';

// The generation handler end to end in one process: a real database, pg-boss, the simulated
// toolchain under node-pty (no pauses) and the LLM emulator over HTTP, with scripted answers
// where a test needs the model to misbehave.
const BROKEN_APP = `import 'package:flutter/material.dart';

void main() {
  runApp(const MaterialApp(home: Text('Broken')))
}
`;

const db = useTestDatabase();
const llm = useLlmServer((last) => {
  if (last.includes('[escape]')) {
    return {
      summary: 'Tried to write outside',
      files: [
        { path: 'lib/main.dart', content: BROKEN_APP },
        { path: '../../outside.dart', content: '// escaped' },
      ],
    };
  }
  if (last.startsWith('Request:\n') && last.includes('[big]')) {
    return {
      summary: 'A big file',
      files: [{ path: 'assets/quotes.txt', content: '"'.repeat(150_000) }],
    };
  }
  if (last.startsWith('Request:\n') && last.includes('[broken]')) {
    return {
      summary: 'A first try with a mistake',
      files: [{ path: 'lib/main.dart', content: BROKEN_APP }],
    };
  }
  return undefined;
});
// A range of its own for previews, so test files running side by side rarely meet.
const portMin = 20_000 + Math.floor(Math.random() * 20_000);
const h = useWorker(db, llm, {
  env: { FIX_ROUNDS: '2', PREVIEW_PORT_MIN: `${portMin}`, PREVIEW_PORT_MAX: `${portMin + 50}` },
});
let user: string;
let project: string;

beforeAll(async () => {
  user = await createAuthUser(db.sql);
  project = await createProject(db.sql, user, 'Worker');
});

/** Events are valid, numbered 1…n without gaps, and end with the Result. */
function checkSequence(events: GenerationEvent[]) {
  for (const e of events) GenerationEvent.parse(e);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(events.at(-1)?.type).toBe('Result');
  expect(events.filter((e) => e.type === 'Result')).toHaveLength(1);
}

describe('a generation run by the worker', () => {
  it('writes the app, runs pub get, analyze and build, and ends with the Result', async () => {
    const id = await startGeneration(db.sql, user, project, { prompt: 'a todo list app' });
    const row = await ended(db.sql, id);
    expect(row).toMatchObject({ status: 'succeeded', error: null });
    const events = await eventsOf(db.sql, id);
    checkSequence(events);
    const steps = events.flatMap((e) => (e.type === 'Status' && e.data.step ? [e.data.step] : []));
    expect(steps).toEqual(['workspace', 'generate', 'pub_get', 'analyze', 'build']);
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['Text', 'Code', 'Output', 'Chat']),
    );
    const output = events.flatMap((e) => (e.type === 'Output' ? [e.data.text] : [])).join('');
    expect(output).toContain('SIMULATED');
    const result = events.at(-1);
    if (result?.type !== 'Result') throw new Error('no Result');
    expect(result.data).toMatchObject({
      status: 'succeeded',
      files: ['lib/main.dart'],
      build: { path: 'build/web' },
      preview: null,
    });
    expect(result.data.summary).toContain(BYLINE);
    expect(row.result).toEqual(result.data);

    const dir = join(h.workspacesDir, project);
    expect(await readFile(join(dir, 'lib/main.dart'), 'utf8')).toContain(BYLINE);
    expect(existsSync(join(dir, 'build/web/index.html'))).toBe(true);
    const messages = await db.sql`
      select author_kind, content from public.project_messages
       where generation_id = ${id} order by created_at, id`;
    expect(messages.map((m) => m.author_kind)).toEqual(['user', 'assistant']);
    expect(messages[1]!.content).toBe(result.data.summary);
    // pg-boss settles the job right after the handler returns.
    const job = await until(
      async () => (await db.sql`select state from pgboss.job where id = ${id}`)[0]?.state,
      (state) => state !== 'active',
    );
    expect(job).toBe('completed');
    expect(h.worker.metrics.render()).toMatch(
      /worker_jobs_finished_total\{outcome="completed",queue="generation"\} [1-9]/,
    );
  });

  it('fixes what the analyzer finds with the model, round by round', async () => {
    const id = await startGeneration(db.sql, user, project, { prompt: 'a counter app [broken]' });
    expect(await ended(db.sql, id)).toMatchObject({ status: 'succeeded' });
    const events = await eventsOf(db.sql, id);
    checkSequence(events);
    const findings = events.filter((e) => e.type === 'AnalysisError');
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((e) => e.type === 'AnalysisError' && e.data.round === 0)).toBe(true);
    expect(findings[0]?.data).toMatchObject({ severity: 'error', file: 'lib/main.dart' });
    const steps = events.flatMap((e) => (e.type === 'Status' && e.data.step ? [e.data.step] : []));
    expect(steps).toEqual([
      'workspace',
      'generate',
      'pub_get',
      'analyze',
      'fix',
      'analyze',
      'build',
    ]);
    expect(await readFile(join(h.workspacesDir, project, 'lib/main.dart'), 'utf8')).not.toBe(
      BROKEN_APP,
    );
  });

  it('refuses a file the model puts outside the workspace, and writes none of its files', async () => {
    const before = await readFile(join(h.workspacesDir, project, 'lib/main.dart'), 'utf8');
    const id = await startGeneration(db.sql, user, project, { prompt: 'an app [escape]' });
    const row = await ended(db.sql, id);
    expect(row.status).toBe('failed');
    const events = await eventsOf(db.sql, id);
    checkSequence(events);
    const error = events.find((e) => e.type === 'Error');
    expect(error?.data).toMatchObject({ kind: 'path_refused', step: 'generate' });
    expect(events.some((e) => e.type === 'Code')).toBe(false);
    expect(existsSync(join(h.workspacesDir, '..', 'outside.dart'))).toBe(false);
    expect(await readFile(join(h.workspacesDir, project, 'lib/main.dart'), 'utf8')).toBe(before);
    const [note] = await db.sql`
      select author_kind, kind, content from public.project_messages
       where generation_id = ${id} and author_kind <> 'user'`;
    expect(note).toMatchObject({ author_kind: 'system', kind: 'event' });
    expect(note!.content).toContain('Refused path');
  });

  it('builds the files a request brings, without the model', async () => {
    const app = await readFile(join(h.workspacesDir, project, 'lib/main.dart'), 'utf8');
    const id = await startGeneration(db.sql, user, project, {
      prompt: 'Build it',
      kind: 'build',
      files: [{ path: 'lib/extra/notes.dart', content: 'const notes = <String>[];\n' }],
    });
    expect(await ended(db.sql, id)).toMatchObject({ status: 'succeeded' });
    const events = await eventsOf(db.sql, id);
    expect(events.some((e) => e.type === 'Text')).toBe(false);
    const steps = events.flatMap((e) => (e.type === 'Status' && e.data.step ? [e.data.step] : []));
    expect(steps).toEqual(['workspace', 'pub_get', 'analyze', 'build']);
    expect(await readFile(join(h.workspacesDir, project, 'lib/main.dart'), 'utf8')).toBe(app);
    expect(existsSync(join(h.workspacesDir, project, 'lib/extra/notes.dart'))).toBe(true);
  });

  it('fails a build request whose code does not analyze, with the findings', async () => {
    const id = await startGeneration(db.sql, user, project, {
      prompt: 'Build this',
      kind: 'build',
      files: [{ path: 'lib/main.dart', content: BROKEN_APP }],
    });
    const row = await ended(db.sql, id);
    expect(row).toMatchObject({ status: 'failed' });
    const events = await eventsOf(db.sql, id);
    checkSequence(events);
    expect(events.some((e) => e.type === 'AnalysisError')).toBe(true);
    expect(events.find((e) => e.type === 'Error')?.data).toMatchObject({ kind: 'analysis_failed' });
    // Nothing of the workspace is left half-written.
    const names = await readdir(join(h.workspacesDir, project, 'lib'));
    expect(names.filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('never runs two generations of one project at once, and runs the next as soon as one ends', async () => {
    const own = await createProject(db.sql, user, 'One at a time');
    const first = await startGeneration(db.sql, user, own, { prompt: 'a list app' });
    const second = await startGeneration(db.sql, user, own, { prompt: 'a grid app' });
    await ended(db.sql, first);
    await ended(db.sql, second);
    const a = await eventsOf(db.sql, first);
    const b = await eventsOf(db.sql, second);
    const startOf = (events: typeof a) =>
      events.find((e) => e.type === 'Status' && e.data.status === 'running')?.at ?? '';
    const [firstRun, secondRun] = startOf(a) <= startOf(b) ? [a, b] : [b, a];
    // The later one started only after the earlier one's Result was written.
    expect(startOf(secondRun) >= (firstRun.at(-1)?.at ?? '')).toBe(true);
  });

  it('serves a preview when asked, until the project’s next generation replaces it', async () => {
    const own = await createProject(db.sql, user, 'Previewed');
    const id = await startGeneration(db.sql, user, own, { prompt: 'a gallery', preview: true });
    const row = await ended(db.sql, id);
    expect(row.status).toBe('succeeded');
    const url = (row.result?.preview as { url: string } | null)?.url ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(url)).status).toBe(200);
    const [kept] = await db.sql<{ groups: Array<{ pgid: number; role: string }> }[]>`
      select process_groups as groups from public.code_generations where id = ${id}`;
    expect(kept!.groups.map((g) => g.role)).toEqual(['preview']);
    const steps = (await eventsOf(db.sql, id)).flatMap((e) =>
      e.type === 'Status' && e.data.step ? [e.data.step] : [],
    );
    expect(steps.at(-1)).toBe('preview');

    const next = await startGeneration(db.sql, user, own, { prompt: 'a gallery, in blue' });
    expect(await ended(db.sql, next)).toMatchObject({ status: 'succeeded' });
    expect(
      await fetch(url).then(
        () => 'answered',
        () => 'gone',
      ),
    ).toBe('gone');
    for (const g of kept!.groups) expect(runningMembers(g.pgid)).toEqual([]);
    const [released] = await db.sql`
      select process_groups, worker_id from public.code_generations where id = ${id}`;
    expect(released).toEqual({ process_groups: [], worker_id: null });
  });

  it('sends a file too big for one Realtime message cut short, and says so', async () => {
    const own = await createProject(db.sql, user, 'Big file');
    const id = await startGeneration(db.sql, user, own, { prompt: 'quotes [big]' });
    await ended(db.sql, id);
    const code = (await eventsOf(db.sql, id)).find((e) => e.type === 'Code');
    if (code?.type !== 'Code') throw new Error('no Code event');
    expect(code.data).toMatchObject({ path: 'assets/quotes.txt', bytes: 150_000, truncated: true });
    expect(Buffer.byteLength(JSON.stringify(code))).toBeLessThan(256_000);
    expect(await readFile(join(h.workspacesDir, own, 'assets/quotes.txt'), 'utf8')).toHaveLength(
      150_000,
    );
  });
});
