import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll } from 'vitest';
import { createLlmEmulator } from '../../scripts/emulators/llm/app.ts';
import { type IncomingMessage, textOf } from '../../scripts/emulators/llm/reply.ts';
import type { Clock } from '../../shared/clock.ts';
import type { Pool } from '../../shared/db/client.ts';
import { asUser } from '../../shared/db/doors.ts';
import { type GenerationEvent, TERMINAL_STATUSES } from '../../shared/generations/events.ts';
import {
  type GenerationKind,
  insertGeneration,
  type RequestFile,
} from '../../shared/generations/generations.ts';
import { enqueue } from '../../shared/jobs/enqueue.ts';
import { createLogger } from '../../shared/log.ts';
import { createMessage } from '../../shared/projects/messages.ts';
import { startWorker, type Worker, type WorkerOptions } from '../../worker/app.ts';
import { workerConfigFromEnv } from '../../worker/config.ts';
import type { LlmReply } from '../../worker/llm/protocol.ts';
import type { TestDatabase } from './db.ts';
import { FLUTTER_SIM } from './flutter-sim.ts';

/**
 * The LLM emulator on a local port. `custom` may answer a conversation itself (by the
 * user's last message), with a reply or an HTTP response of its own; what it leaves to the
 * emulator gets the emulator's answer.
 */
export function useLlmServer(
  custom?: (lastUserMessage: string) => LlmReply | Response | undefined,
) {
  const emulator = createLlmEmulator({ basePath: '/v1' });
  const app = new Hono();
  app.post('/v1/chat/completions', async (c) => {
    const body = (await c.req.raw.clone().json()) as { messages: IncomingMessage[] };
    const users = body.messages.filter((m) => m.role === 'user');
    const reply = custom?.(textOf(users.at(-1) ?? { role: 'user', content: '' }));
    if (!reply) return emulator.fetch(c.req.raw);
    if (reply instanceof Response) return reply;
    return c.json({
      id: `chatcmpl-${randomUUID()}`,
      object: 'chat.completion',
      model: 'flutter-studio-emulator',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: JSON.stringify(reply) },
          finish_reason: 'stop',
        },
      ],
    });
  });
  app.all('*', (c) => emulator.fetch(c.req.raw));
  let server: ReturnType<typeof serve> | undefined;
  let url = '';
  beforeAll(async () => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((ready) => server?.once('listening', ready));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));
  return {
    get url() {
      return url;
    },
  };
}

export interface WorkerHarness {
  readonly worker: Worker;
  readonly workspacesDir: string;
  /** Starts another worker like this one (after `stop`), e.g. to see what it recovers. */
  restart(): Promise<Worker>;
}

/**
 * A worker in this process over the file's database, with the simulated toolchain (no pauses
 * unless `env` says FLUTTER_SIM_DELAY_SCALE), its own workspaces folder, and `env` on top of
 * test settings (short leases and grace periods, a free port).
 */
export function useWorker(
  db: TestDatabase,
  llm: { readonly url: string },
  opts: { env?: Record<string, string>; clock?: Clock; options?: WorkerOptions } = {},
): WorkerHarness {
  let worker: Worker | undefined;
  let dir = '';
  const start = () => {
    const config = workerConfigFromEnv({
      DATABASE_URL: db.url,
      LLM_BASE_URL: llm.url,
      LLM_API_KEY: 'test',
      LLM_MAX_RETRIES: '0',
      WORKSPACES_DIR: dir,
      WORKER_PORT: '0',
      KILL_GRACE_S: '1',
      POLL_INTERVAL_S: '0.5',
      LOG_LEVEL: 'silent',
      ...opts.env,
    });
    return startWorker(config, {
      clock: opts.clock,
      log: createLogger({ level: 'silent' }),
      env: { ...process.env, FLUTTER_SIM_DELAY_SCALE: '0', ...opts.env },
      ...opts.options,
    });
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'workspaces-'));
    worker = await start();
  });
  afterAll(async () => {
    await worker?.stop(0);
    await rm(dir, { recursive: true, force: true });
  });
  return {
    get worker() {
      if (!worker) throw new Error('the worker runs only inside tests and hooks');
      return worker;
    },
    get workspacesDir() {
      return dir;
    },
    async restart() {
      worker = await start();
      return worker;
    },
  };
}

/**
 * A `flutter` that is the simulated toolchain, fast except for the one command named with
 * `slow('pub' | 'build' | 'run')`, which takes 20 times a real one's pauses: a test can then
 * act while that step surely runs.
 */
export function slowFlutter(): {
  bin: string;
  slow(command: 'pub' | 'build' | 'run' | 'none'): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'slow-flutter-'));
  const choice = join(dir, 'slow');
  const bin = join(dir, 'flutter');
  writeFileSync(choice, 'none');
  writeFileSync(
    bin,
    `#!/bin/sh
if [ "$1" = "$(cat '${choice}')" ]; then FLUTTER_SIM_DELAY_SCALE=20; else FLUTTER_SIM_DELAY_SCALE=0; fi
export FLUTTER_SIM_DELAY_SCALE
exec '${FLUTTER_SIM}' "$@"
`,
  );
  chmodSync(bin, 0o755);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return { bin, slow: (command) => writeFileSync(choice, command) };
}

/** Starts a generation as `user`, exactly as the API's route does, and returns its id. */
export async function startGeneration(
  sql: Pool,
  user: string,
  projectId: string,
  req: {
    prompt: string;
    kind?: GenerationKind;
    files?: RequestFile[];
    preview?: boolean;
    cancelOnDisconnect?: boolean;
  },
): Promise<string> {
  const id = randomUUID();
  await asUser(sql, { sub: user, role: 'authenticated' }, async (tx) => {
    await insertGeneration(tx, {
      id,
      projectId,
      prompt: req.prompt,
      kind: req.kind ?? 'generate',
      files: req.files ?? null,
      preview: req.preview ?? false,
      cancelOnDisconnect: req.cancelOnDisconnect ?? false,
    });
    await createMessage(tx, projectId, { content: req.prompt, kind: 'text', generationId: id });
    await enqueue(tx, 'generation', { generation_id: id, project_id: projectId });
  });
  return id;
}

/** Waits until `pred` holds, polling; throws after `ms` (a bound on waiting, not an assertion). */
export async function until<T>(
  probe: () => Promise<T>,
  pred: (value: T) => boolean,
  ms = 15_000,
  what = 'the condition',
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (pred(value)) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The generation's events, in order, as replay returns them. */
export async function eventsOf(sql: Pool, id: string): Promise<GenerationEvent[]> {
  const rows = await sql<{ event: GenerationEvent }[]>`
    select event from public.generation_events where generation_id = ${id} order by seq`;
  return rows.map((r) => r.event);
}

/** The generation's row once it has ended. */
export async function ended(
  sql: Pool,
  id: string,
  ms = 20_000,
): Promise<{ status: string; error: string | null; result: Record<string, unknown> | null }> {
  const row = await until(
    async () => {
      const [row] = await sql<
        { status: string; error: string | null; result: Record<string, unknown> | null }[]
      >`select status, error, result from public.code_generations where id = ${id}`;
      return row;
    },
    (row) => Boolean(row && TERMINAL_STATUSES.includes(row.status as never)),
    ms,
    `generation ${id} to end`,
  );
  if (!row) throw new Error('unreachable: until() returned without the row');
  return row;
}

/** The process groups recorded for a generation once its `step` runs (waits for it). */
export async function whileRunning(sql: Pool, id: string, step: string): Promise<number[]> {
  const row = await until(
    async () => {
      const [r] = await sql<{ groups: Array<{ pgid: number }>; step: string | null }[]>`
        select g.process_groups as groups,
               (select e.event -> 'data' ->> 'step' from public.generation_events e
                 where e.generation_id = g.id and e.type = 'Status'
                 order by e.seq desc limit 1) as step
          from public.code_generations g where g.id = ${id}`;
      return r;
    },
    (r) => Boolean(r && r.step === step && r.groups.length > 0),
    20_000,
    `${step} to run`,
  );
  return (row?.groups ?? []).map((g) => g.pgid);
}
