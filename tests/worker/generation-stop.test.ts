import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { asUser } from '../../shared/db/doors.ts';
import { enqueue } from '../../shared/jobs/enqueue.ts';
import { runningMembers } from '../../worker/toolchain/process-group.ts';
import { processStart } from '../../worker/toolchain/process-identity.ts';
import { useTestDatabase } from '../helpers/db.ts';
import {
  ended,
  eventsOf,
  slowFlutter,
  startGeneration,
  until,
  useLlmServer,
  useWorker,
  whileRunning,
} from '../helpers/worker.ts';
import { createAuthUser } from '../integration/identity/fixtures.ts';
import { createProject } from '../integration/projects/fixtures.ts';

// Stopping a generation from outside: cancel while a step runs, a worker that shuts down,
// and a worker that died. A toolchain wrapper makes one command slow (named in a file the
// test writes), so a step is surely running when the test acts.
const { bin: wrapper, slow } = slowFlutter();

const db = useTestDatabase();
// The model is down the first time it is asked for "[flaky]".
let flakyCalls = 0;
const llm = useLlmServer((last) => {
  if (!last.includes('[flaky]') || flakyCalls++ > 0) return undefined;
  return new Response(
    JSON.stringify({ error: { message: 'The server is overloaded', type: 'server_error' } }),
    { status: 503, headers: { 'content-type': 'application/json' } },
  );
});
const h = useWorker(db, llm, { env: { FLUTTER_BIN: wrapper, LEASE_S: '3' } });
let user: string;
let project: string;

beforeAll(async () => {
  user = await createAuthUser(db.sql);
  project = await createProject(db.sql, user, 'Stops');
});

const cancelAsUser = (id: string) =>
  asUser(
    db.sql,
    { sub: user, role: 'authenticated' },
    (tx) => tx`select private.cancel_generation(${id}::uuid) as outcome`,
  );

describe('cancel', () => {
  it.each([
    ['pub', 'pub_get'],
    ['build', 'build'],
  ] as const)('during %s: ends cancelled and leaves no process of it', async (command, step) => {
    slow(command);
    const id = await startGeneration(db.sql, user, project, { prompt: 'a timer app' });
    const groups = await whileRunning(db.sql, id, step);
    expect(groups.every((g) => runningMembers(g).length > 0)).toBe(true);
    const [answer] = await cancelAsUser(id);
    expect(answer!.outcome).toBe('requested');
    expect(await ended(db.sql, id)).toMatchObject({ status: 'cancelled' });
    for (const g of groups) expect(runningMembers(g)).toEqual([]);
    const events = await eventsOf(db.sql, id);
    expect(events.at(-1)).toMatchObject({ type: 'Result', data: { status: 'cancelled' } });
    const [row] = await db.sql`
      select process_groups, worker_id, lease_expires_at from public.code_generations
       where id = ${id}`;
    expect(row).toEqual({ process_groups: [], worker_id: null, lease_expires_at: null });
    slow('none');
  });
});

describe('a transient failure', () => {
  it('puts the generation back in the queue, and the retry runs it to the end', async () => {
    const id = await startGeneration(db.sql, user, project, { prompt: 'a flaky app [flaky]' });
    const requeued = await until(
      async () => (await eventsOf(db.sql, id)).find((e) => e.type === 'Error'),
      Boolean,
    );
    expect(requeued?.data).toMatchObject({ kind: 'llm_failed', retrying: true, step: 'generate' });
    // The retry is due at once rather than after the queue's backoff.
    await until(
      async () => (await db.sql`select state from pgboss.job where id = ${id}`)[0]?.state,
      (state) => state === 'retry',
    );
    await db.sql`update pgboss.job set start_after = now() where id = ${id}`;
    expect(await ended(db.sql, id)).toMatchObject({ status: 'succeeded' });
    expect(flakyCalls).toBe(2);
  });
});

describe('a worker that stops', () => {
  it('requeues what it was running when the grace period ends, and kills its processes', async () => {
    slow('pub');
    const id = await startGeneration(db.sql, user, project, { prompt: 'a notes app' });
    const groups = await whileRunning(db.sql, id, 'pub_get');
    await h.worker.stop(100);
    slow('none');
    const [row] =
      await db.sql`select status, worker_id from public.code_generations where id = ${id}`;
    expect(row).toEqual({ status: 'queued', worker_id: null });
    for (const g of groups) expect(runningMembers(g)).toEqual([]);
    // Failed by the handler, so pg-boss retries it (its retry_count goes up when it is taken).
    const job = await until(
      async () => (await db.sql`select state from pgboss.job where id = ${id}`)[0]?.state,
      (state) => state !== 'active',
    );
    expect(job).toBe('retry');
    const events = await eventsOf(db.sql, id);
    expect(events.slice(-2).map((e) => [e.type, e.data])).toEqual([
      ['Error', expect.objectContaining({ kind: 'interrupted', retrying: true })],
      ['Status', expect.objectContaining({ status: 'queued' })],
    ]);
    // The next worker runs it again, as a new attempt.
    await db.sql`update pgboss.job set start_after = now() where id = ${id}`;
    await h.restart();
    expect(await ended(db.sql, id)).toMatchObject({ status: 'succeeded' });
    const running = (await eventsOf(db.sql, id)).filter(
      (e) => e.type === 'Status' && e.data.status === 'running' && e.data.attempt,
    );
    expect(running.map((e) => e.type === 'Status' && e.data.attempt)).toEqual([1, 2]);
  });
});

describe('recovery of a dead worker', () => {
  /** A generation as a worker left it when it died: running, leased, its job active. */
  async function orphan(opts: { workerId: string; leaseAgoMs: number; retriesLeft: boolean }) {
    // A project of its own: one project has at most one active job (the singleton policy).
    const own = await createProject(db.sql, user, `Orphan ${randomUUID().slice(0, 8)}`);
    const id = randomUUID();
    // One transaction, so the live worker never sees the job before the "dead" one holds it.
    await db.sql.begin(async (tx) => {
      await tx`insert into public.code_generations
                 (id, project_id, requested_by, prompt, job_id, status, attempt, started_at,
                  worker_id, lease_expires_at)
               values (${id}, ${own}, ${user}, 'an orphan', ${id}, 'running', 1, now(),
                       ${opts.workerId},
                       now() - ${`${opts.leaseAgoMs} milliseconds`}::interval)`;
      await enqueue(tx, 'generation', { generation_id: id, project_id: own });
      await tx`update pgboss.job set state = 'active', started_on = now(),
                 retry_count = ${opts.retriesLeft ? 0 : 2}
               where id = ${id}`;
    });
    return id;
  }

  it('kills its recorded process group and requeues the generation when attempts remain', async () => {
    // A process group of this host, as a dead worker's step would have left it.
    const child = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
    const pgid = child.pid as number;
    child.unref();
    const deadWorker = `${h.worker.workerId.split(':')[0] as string}:999999:${randomUUID()}`;
    const id = await orphan({ workerId: deadWorker, leaseAgoMs: -60_000, retriesLeft: true });
    const host = h.worker.workerId.split(':')[0];
    const group = { host, pgid, start: processStart(pgid), role: 'step' };
    await db.sql`update public.code_generations set process_groups = ${db.sql.json([group])}
                 where id = ${id}`;
    expect(runningMembers(pgid)).toHaveLength(1);
    // The lease has not lapsed, but its worker (this host, pid 999999) is gone.
    const counts = await h.worker.recovery.sweep();
    expect(counts.requeued).toBeGreaterThanOrEqual(1);
    expect(runningMembers(pgid)).toEqual([]);
    const [row] = await db.sql`
      select status, worker_id, process_groups from public.code_generations where id = ${id}`;
    expect(row).toMatchObject({ worker_id: null, process_groups: [] });
    expect(['queued', 'running', 'succeeded']).toContain(row!.status);
    const lost = (await eventsOf(db.sql, id)).find((e) => e.type === 'Error');
    expect(lost?.data).toMatchObject({ kind: 'worker_lost', retrying: true });
    // Its retry is due at once, instead of after the queue's backoff.
    await db.sql`update pgboss.job set start_after = now() where id = ${id}`;
    expect(await ended(db.sql, id)).toMatchObject({ status: 'succeeded' });
  });

  it("fails the generation when its job has no attempt left, and leaves another host's lease alone until it lapses", async () => {
    const alive = await orphan({
      workerId: `elsewhere:1:${randomUUID()}`,
      leaseAgoMs: -60_000,
      retriesLeft: false,
    });
    const lapsed = await orphan({
      workerId: `elsewhere:1:${randomUUID()}`,
      leaseAgoMs: 1_000,
      retriesLeft: false,
    });
    await h.worker.recovery.sweep();
    const [still] = await db.sql`select status from public.code_generations where id = ${alive}`;
    expect(still!.status).toBe('running');
    expect(await ended(db.sql, lapsed)).toMatchObject({
      status: 'failed',
      error: 'The worker running it stopped unexpectedly',
    });
    expect((await eventsOf(db.sql, lapsed)).at(-1)).toMatchObject({
      type: 'Result',
      data: { status: 'failed' },
    });
    const [job] = await db.sql`select state from pgboss.job where id = ${lapsed}`;
    expect(job!.state).toBe('failed');
    const [dead] = await db.sql`
      select count(*)::int as n from pgboss.job
       where name = 'generation.dead' and data ->> 'generation_id' = ${lapsed}`;
    expect(dead!.n).toBe(1);
    await db.sql`update public.code_generations set lease_expires_at = now() - interval '1 second'
                 where id = ${alive}`;
    await h.worker.recovery.sweep();
    expect(await ended(db.sql, alive)).toMatchObject({ status: 'failed' });
  });

  it('kills what a dead worker left when its job reaches a worker before recovery does', async () => {
    const child = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
    const pgid = child.pid as number;
    child.unref();
    const host = h.worker.workerId.split(':')[0] as string;
    const own = await createProject(db.sql, user, `Taken over ${randomUUID().slice(0, 8)}`);
    const id = randomUUID();
    const group = { host, pgid, start: processStart(pgid), role: 'step' };
    // Its job is due (retried by pg-boss), while the row still shows the dead worker's lease.
    await db.sql.begin(async (tx) => {
      await tx`insert into public.code_generations
                 (id, project_id, requested_by, prompt, job_id, status, attempt, started_at,
                  worker_id, lease_expires_at, process_groups)
               values (${id}, ${own}, ${user}, 'taken over', ${id}, 'running', 1, now(),
                       ${`${host}:999999:${randomUUID()}`}, now() - interval '1 second',
                       ${tx.json([group])})`;
      await enqueue(tx, 'generation', { generation_id: id, project_id: own });
    });
    expect(await ended(db.sql, id)).toMatchObject({ status: 'succeeded' });
    expect(runningMembers(pgid)).toEqual([]);
    const attempts = (await eventsOf(db.sql, id)).flatMap((e) =>
      e.type === 'Status' && e.data.attempt ? [e.data.attempt] : [],
    );
    expect(attempts).toEqual([2]);
  });

  it('fails a queued generation whose job was lost', async () => {
    const id = randomUUID();
    await db.sql`insert into public.code_generations (id, project_id, requested_by, prompt, queued_at, created_at)
                 values (${id}, ${project}, ${user}, 'no job', now() - interval '5 minutes',
                         now() - interval '5 minutes')`;
    await h.worker.recovery.sweep();
    expect(await ended(db.sql, id)).toMatchObject({ status: 'failed', error: 'Its job was lost' });
  });
});
