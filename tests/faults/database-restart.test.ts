import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningPostgres, startEmbeddedPostgres } from '../../scripts/db/embedded.ts';
import { localEnvSchema } from '../../scripts/local/env.ts';
import { freePort } from '../../scripts/local/ports.ts';
import { type LocalStack, startLocalStack } from '../../scripts/local/stack.ts';
import { parseEnv } from '../../shared/config.ts';
import { createDb, type Pool } from '../../shared/db/client.ts';
import { ended, until, whileRunning } from '../helpers/worker.ts';
import { type ApiUser, expectAllEnded, settledEmpty, signUp } from './system.ts';
import { faultToolchain } from './toolchain.ts';

// PostgreSQL stopped and started again (same port, same data) while requests flow through the
// gateway and the worker runs a job. Nobody restarts the functions or the worker: they must
// come back on their own, and while the database is away every answer is either what it
// would be or a 503 problem+json with Retry-After, never a database message.
// `pub get` takes about 9 s: it runs through the whole outage.
const toolchain = faultToolchain({ slowScale: 6 });
let dir = '';
let port = 0;
let pg: RunningPostgres;
let stack: LocalStack;
let sql: Pool;
const saved = process.env.GOTRUE_MAILER_AUTOCONFIRM;

const startPostgres = () =>
  startEmbeddedPostgres({ dataDir: join(dir, 'postgres'), port, persistent: true });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fault-pg-'));
  port = await freePort();
  pg = await startPostgres();
  process.env.GOTRUE_MAILER_AUTOCONFIRM = 'true';
  const env = parseEnv(localEnvSchema, {
    DATABASE_URL: pg.url,
    GATEWAY_PORT: String(await freePort()),
    WORKER_PORT: String(await freePort()),
    LOCAL_DATA_DIR: join(dir, 'local'),
    LOG_LEVEL: 'silent',
  });
  stack = await startLocalStack(env, () => {}, {
    worker: {
      env: { ...toolchain.env, POLL_INTERVAL_S: '0.5', LEASE_S: '6', LOG_LEVEL: 'silent' },
    },
  });
  sql = createDb(pg.url, { max: 2, name: 'fault-test' });
}, 120_000);

afterAll(async () => {
  await sql?.end({ timeout: 1 });
  await stack?.stop();
  await pg?.stop();
  // As root, the cluster lives outside `dir` (see scripts/db/embedded.ts): it goes too.
  if (pg?.dataDir) await rm(pg.dataDir, { recursive: true, force: true });
  if (saved === undefined) delete process.env.GOTRUE_MAILER_AUTOCONFIRM;
  else process.env.GOTRUE_MAILER_AUTOCONFIRM = saved;
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Answer {
  what: string;
  status: number;
  type: string;
  retryAfter: string | null;
  body: string;
}

const PHONE_NUMBER_ID = '106540352249001';

/**
 * Meta's side: inbound messages through the Graph API emulator, over and over, until `stop`
 * resolves. The wamids of those the webhook answered 2xx for, and how many it refused: each must be stored, whatever
 * the database did meanwhile (a refused one, Meta delivers again).
 */
async function deliveries(stop: Promise<void>) {
  const accepted: string[] = [];
  let refused = 0;
  let stopped = false;
  void stop.then(() => {
    stopped = true;
  });
  for (let i = 0; !stopped && i < 2_000; i++) {
    const res = await fetch(`${stack.gatewayUrl}/graph/_emulator/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        phone_number_id: PHONE_NUMBER_ID,
        from: '+34611222333',
        text: `#${i}`,
      }),
    }).catch(() => undefined);
    if (res?.status === 200) {
      const body = (await res.json()) as { messages: Array<{ id: string }> };
      accepted.push(...body.messages.map((m) => m.id));
    } else refused++;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { accepted, refused };
}

/** Requests of several kinds, over and over, until `stop` resolves; every answer kept. */
async function load(user: ApiUser, project: string, stop: Promise<void>): Promise<Answer[]> {
  const answers: Answer[] = [];
  let stopped = false;
  void stop.then(() => {
    stopped = true;
  });
  const kinds: Array<[string, () => Promise<Response>]> = [
    ['list projects', () => user.call('GET', '/projects')],
    ['read project', () => user.call('GET', `/projects/${project}`)],
    ['post message', () => user.call('POST', `/projects/${project}/messages`, { content: 'hi' })],
    ['list generations', () => user.call('GET', `/projects/${project}/generations`)],
    ['read me', () => user.call('GET', '/users/me')],
  ];
  await Promise.all(
    kinds.map(async ([what, send]) => {
      for (let i = 0; !stopped && i < 2_000; i++) {
        // A request that hangs is a fault too: it is cut after 10 s and counted as one.
        const res = await Promise.race([
          send(),
          new Promise<Error>((r) => setTimeout(() => r(new Error('no answer in 10 s')), 10_000)),
        ]).catch((err: Error) => err);
        if (res instanceof Error) {
          answers.push({ what, status: 0, type: '', retryAfter: null, body: res.message });
        } else {
          answers.push({
            what,
            status: res.status,
            type: res.headers.get('content-type') ?? '',
            retryAfter: res.headers.get('retry-after'),
            body: await res.text(),
          });
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    }),
  );
  return answers;
}

describe('PostgreSQL stopped and started again under load', () => {
  it('costs 503s while it is down and nothing else; functions and worker come back', async () => {
    const user = await signUp(stack.gatewayUrl);
    const project = await user.project('Restart');
    toolchain.set('pub', 'slow');
    const running = await user.generate(project, 'a timer app');
    await whileRunning(sql, running, 'pub_get');
    await sql.end({ timeout: 1 });

    const channel = await user.call('POST', `/projects/${project}/channels`, {
      phone_number_id: PHONE_NUMBER_ID,
      name: 'Front desk',
      access_token: 'EAA-local',
    });
    expect(channel.status).toBe(201);

    let endLoad = () => {};
    const stop = new Promise<void>((r) => {
      endLoad = r;
    });
    const loadDone = load(user, project, stop);
    const delivered = deliveries(stop);
    await new Promise((r) => setTimeout(r, 300));
    await pg.stop();
    await new Promise((r) => setTimeout(r, 2_000));
    pg = await startPostgres();
    // Back once a request that needs the database passes again.
    await until(
      async () => (await user.call('GET', '/projects')).status,
      (s) => s === 200,
      30_000,
      'the api to answer from the database again',
    );
    await new Promise((r) => setTimeout(r, 500));
    endLoad();
    const answers = await loadDone;

    const refused = answers.filter((a) => a.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    const wrong = answers.filter(
      (a) =>
        !(a.status >= 200 && a.status < 300) &&
        !(
          a.status === 503 &&
          a.type.startsWith('application/problem+json') &&
          Number(a.retryAfter) > 0
        ),
    );
    expect(wrong).toEqual([]);
    for (const a of answers) {
      expect(a.body).not.toMatch(/ECONN|postgres|terminating|SQLSTATE|connection|57P0|08006/i);
    }

    sql = createDb(pg.url, { max: 2, name: 'fault-test' });
    // Every webhook answered 200 is stored, and applied or still queued to be: none lost. (A
    // job that was running when the database went away waits for its expiry to run again.)
    const { accepted, refused: notTaken } = await delivered;
    // Some arrived while the database was away and were refused, for Meta to deliver again.
    expect([accepted.length > 0, notTaken > 0]).toEqual([true, true]);
    await until(
      async () => {
        const [row] = await sql<{ n: number }[]>`
          select count(*)::int as n from private.whatsapp_intake i
           where i.kind = 'message' and i.wamid = any(${accepted})
             and (i.processed_at is not null
                  or exists (select 1 from pgboss.job j
                              where j.name = 'whatsapp.intake'
                                and j.state in ('created', 'retry', 'active')
                                and j.data -> 'keys' ? i.key))`;
        return row?.n ?? 0;
      },
      (n) => n === accepted.length,
      30_000,
      'every accepted webhook to be stored, and applied or queued',
    );
    toolchain.set('pub', 'fast');
    const first = await ended(sql, running, 60_000);
    expect(['succeeded', 'failed']).toContain(first.status);
    // The worker that lived through it takes new work.
    const next = await user.generate(project, 'a timer app, again');
    expect(await ended(sql, next, 30_000)).toMatchObject({ status: 'succeeded' });
    // The same worker process, never restarted.
    expect(() => process.kill(stack.worker?.pid as number, 0)).not.toThrow();
    const health = await fetch(`${stack.worker?.opsUrl}/health`);
    expect(health.status).toBe(200);
    await expectAllEnded(sql);
    expect(await settledEmpty(toolchain.processes)).toEqual([]);
  }, 90_000);
});
