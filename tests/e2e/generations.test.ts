import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ANON_KEY } from '../../scripts/local/keys.ts';
import { type GenerationEvent, generationTopic } from '../../shared/generations/events.ts';
import { appClient } from '../helpers/browser.ts';
import { useLocalStack } from '../helpers/stack.ts';
import { ended, slowFlutter, until, whileRunning } from '../helpers/worker.ts';

// The main job as an app meets it, through `npm run dev`'s stack with its worker process:
// supabase-js signs in and subscribes to generation:<id>; the API starts, replays, streams
// and cancels; members receive, strangers are refused.
const { bin, slow } = slowFlutter();
const h = useLocalStack(
  { GOTRUE_MAILER_AUTOCONFIRM: 'true' },
  {
    worker: {
      env: {
        FLUTTER_BIN: bin,
        POLL_INTERVAL_S: '0.5',
        DISCONNECT_GRACE_S: '1',
        KILL_GRACE_S: '1',
        LOG_LEVEL: 'silent',
      },
    },
  },
);
const url = () => h.stack.gatewayUrl;
const clients: SupabaseClient[] = [];
let n = 0;

interface Person {
  id: string;
  token: string;
  client: SupabaseClient;
}

async function person(): Promise<Person> {
  const client = appClient(url(), { vsn: '2.0.0' });
  clients.push(client);
  const email = `gen${++n}-${Date.now()}@example.com`;
  const { data, error } = await client.auth.signUp({ email, password: 'a-sturdy-password' });
  expect(error).toBeNull();
  const token = data.session?.access_token as string;
  await client.realtime.setAuth(token);
  return { id: data.user?.id as string, token, client };
}

async function api(path: string, who: Person, init: { json?: unknown; method?: string } = {}) {
  const res = await fetch(`${url()}/functions/v1/api${path}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers: {
      apikey: DEMO_ANON_KEY,
      authorization: `Bearer ${who.token}`,
      'content-type': 'application/json',
    },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

function join(channel: RealtimeChannel): Promise<void> {
  return new Promise((ok, fail) =>
    channel.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') ok();
      else if (status !== 'CLOSED') fail(err ?? new Error(status));
    }),
  );
}

/** SSE messages' data, read to the end of the stream. */
async function sse(path: string, who: Person): Promise<GenerationEvent[]> {
  const res = await fetch(`${url()}/functions/v1/api${path}`, {
    headers: { apikey: DEMO_ANON_KEY, authorization: `Bearer ${who.token}` },
  });
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  return (await res.text())
    .split('\n\n')
    .flatMap((b) => b.split('\n').filter((l) => l.startsWith('data:')))
    .map((l) => JSON.parse(l.slice(5)));
}

let owner: Person;
let viewer: Person;
let stranger: Person;
let project: string;

beforeAll(async () => {
  owner = await person();
  viewer = await person();
  stranger = await person();
  project = (await api('/projects', owner, { json: { name: 'Live app' } })).body.id;
  const shared = await api(`/projects/${project}/members`, owner, {
    json: { user_id: viewer.id, role: 'viewer' },
  });
  expect(shared.status).toBe(201);
});
afterEach(async () => {
  slow('none');
  for (const c of clients) await c.removeAllChannels();
});

describe('a generation through the local stack', () => {
  it('reaches a subscriber in seq order, Status to Result, exactly as replay and SSE return it', async () => {
    const started = await api(`/projects/${project}/generations`, owner, {
      json: { prompt: 'a todo list app', cancel_on_disconnect: true },
    });
    expect(started.status).toBe(202);
    const id = started.body.id as string;

    const received: GenerationEvent[] = [];
    const channel = owner.client.channel(generationTopic(id), { config: { private: true } });
    channel.on('broadcast', { event: '*' }, ({ payload }) =>
      received.push(payload as GenerationEvent),
    );
    await join(channel);
    // Watching: with cancel_on_disconnect, nobody present for a second would cancel it.
    await channel.track({ watching: true });
    // What came before the subscription, as a client catches up.
    const before = (await api(`/generations/${id}/events`, owner)).body.data as GenerationEvent[];
    await until(
      async () => received.at(-1)?.type,
      (type) => type === 'Result' || before.at(-1)?.type === 'Result',
      30_000,
      'the Result',
    );

    const replay = (await api(`/generations/${id}/events`, owner)).body.data as GenerationEvent[];
    expect(replay.map((e) => e.seq)).toEqual(replay.map((_, i) => i + 1));
    expect(replay[0]).toMatchObject({ type: 'Status', data: { status: 'queued' } });
    expect(replay.at(-1)).toMatchObject({ type: 'Result', data: { status: 'succeeded' } });
    // Realtime delivered a run of consecutive events, in order, each identical to its replay.
    expect(received.length).toBeGreaterThan(0);
    const first = received[0]?.seq ?? 0;
    expect(received.map((e) => e.seq)).toEqual(received.map((_, i) => first + i));
    expect(received).toEqual(replay.slice(first - 1));
    // Caught up and subscribed, the client has every event.
    const merged = new Map([...before, ...received].map((e) => [e.seq, e]));
    expect([...merged.values()].sort((a, b) => a.seq - b.seq)).toEqual(replay);
    expect(await sse(`/generations/${id}/stream`, owner)).toEqual(replay);
    expect(await ended(h.db.sql, id)).toMatchObject({ status: 'succeeded' });
  });

  it('lets a viewer watch but not start or cancel, and refuses a stranger the channel', async () => {
    const id = (
      await api(`/projects/${project}/generations`, owner, { json: { prompt: 'a quiz' } })
    ).body.id as string;
    expect(
      (await api(`/projects/${project}/generations`, viewer, { json: { prompt: 'x' } })).status,
    ).toBe(403);
    expect((await api(`/generations/${id}/cancel`, viewer, { method: 'POST' })).status).toBe(403);
    await join(viewer.client.channel(generationTopic(id), { config: { private: true } }));
    const refused = stranger.client.channel(generationTopic(id), { config: { private: true } });
    await expect(join(refused)).rejects.toThrow(
      `Unauthorized: You do not have permissions to read from this Channel topic: ${generationTopic(id)}`,
    );
    expect((await api(`/generations/${id}`, stranger)).status).toBe(404);
    await ended(h.db.sql, id);
  });

  it('cancels a running generation through the API within seconds', async () => {
    slow('build');
    const id = (
      await api(`/projects/${project}/generations`, owner, { json: { prompt: 'a clock' } })
    ).body.id as string;
    await whileRunning(h.db.sql, id, 'build');
    const res = await api(`/generations/${id}/cancel`, owner, { method: 'POST' });
    expect(res.status).toBe(202);
    expect(await ended(h.db.sql, id)).toMatchObject({ status: 'cancelled' });
  });

  it('cancels a generation nobody watches when it asked to be', async () => {
    slow('build');
    const id = (
      await api(`/projects/${project}/generations`, owner, {
        json: { prompt: 'a weather app', cancel_on_disconnect: true },
      })
    ).body.id as string;
    expect(await ended(h.db.sql, id)).toMatchObject({ status: 'cancelled' });
    const events = (await api(`/generations/${id}/events`, owner)).body.data as GenerationEvent[];
    expect(events.at(-2)).toMatchObject({
      type: 'Status',
      data: { status: 'cancelled', message: 'Cancelled: nobody was watching it any more' },
    });
  });

  it('runs `npm run demo` to the end, printing the events and where the code and preview are', async () => {
    const dataDir = await mkdtemp(joinPath(tmpdir(), 'demo-'));
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [fileURLToPath(new URL('../../scripts/demo.ts', import.meta.url)), 'a todo list app'],
        { env: { ...process.env, SUPABASE_URL: url(), LOCAL_DATA_DIR: dataDir }, timeout: 60_000 },
      );
      // Without the terminal's colours.
      const text = stdout.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
      expect(text).toContain('flutter build web');
      expect(text).toMatch(/■ succeeded in/);
      expect(text).toContain('Done.');
      expect(text).toMatch(/Preview {4}http:\/\/127\.0\.0\.1:\d+/);
      const id = /Generation ([0-9a-f-]{36})/.exec(text)?.[1] ?? '';
      expect(await readFile(joinPath(dataDir, 'demo', id, 'lib/main.dart'), 'utf8')).toContain(
        'Todo',
      );
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('serves the worker’s health and metrics', async () => {
    const worker = h.stack.worker;
    if (!worker) throw new Error('the stack started no worker');
    const health = await fetch(`${worker.opsUrl}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', database: true });
    const metrics = await (await fetch(`${worker.opsUrl}/metrics`)).text();
    expect(metrics).toContain('# TYPE worker_jobs_finished_total counter');
    expect(metrics).toMatch(/worker_queue_depth\{queue="generation"\} \d+/);
    expect(metrics).toMatch(
      /worker_job_duration_seconds_count\{outcome="completed",queue="generation"\} [1-9]/,
    );
  });
});
