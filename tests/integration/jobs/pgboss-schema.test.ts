import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { PGBOSS_MIGRATION_HEADER, pgbossMigrationBody } from '../../../scripts/db/pgboss-plan.ts';
import { createDb, type Tx } from '../../../shared/db/client.ts';
import { asService, asUser } from '../../../shared/db/doors.ts';
import { cancelJob, enqueue } from '../../../shared/jobs/enqueue.ts';
import { JOB_NAMES, JOBS } from '../../../shared/jobs/queues.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { claimsOf, createAuthUser, pgError } from '../identity/fixtures.ts';
import { createProject, DENIED } from '../projects/fixtures.ts';

const db = useTestDatabase();
let user: string;
let project: string;

beforeAll(async () => {
  user = await createAuthUser(db.sql);
  project = await createProject(db.sql, user, 'Jobs');
});

const MIGRATION = fileURLToPath(
  new URL('../../../supabase/migrations/20261129002000_pgboss.sql', import.meta.url),
);

/** A generation inserted as the user, as the API does, its job id its own id. */
async function newGeneration(tx: Tx) {
  const id = randomUUID();
  await tx`insert into public.code_generations (id, project_id, prompt, job_id)
           values (${id}, ${project}, 'An app', ${id})`;
  return id;
}

describe("pg-boss's schema", () => {
  it('is the installed pg-boss construction plan, unedited', async () => {
    // A pg-boss upgrade that changes its schema fails here: add a migration with
    // getMigrationPlans('pgboss', <current version>) rather than editing the old one.
    const text = await readFile(MIGRATION, 'utf8');
    expect(text).toBe(`${PGBOSS_MIGRATION_HEADER}\n${pgbossMigrationBody()}\n`);
    const [row] = await db.sql`select max(version) as v from pgboss.version`;
    expect(String(row!.v)).toMatch(/^\d+$/);
  });

  it('holds every queue of shared/jobs/queues.ts, with its options', async () => {
    const rows = await db.sql<Record<string, unknown>[]>`
      select name, policy, retry_limit, retry_delay, retry_backoff, retry_delay_max,
             expire_seconds, heartbeat_seconds, notify, dead_letter, deletion_seconds
        from pgboss.queue`;
    const byName = new Map(rows.map((r) => [r.name, r]));
    for (const name of JOB_NAMES) {
      const q = JOBS[name].queue;
      const row = byName.get(name);
      expect(row, name).toBeDefined();
      expect(row).toMatchObject({
        policy: q.policy,
        retry_limit: q.retryLimit ?? 2,
        retry_delay: q.retryDelay ?? 0,
        retry_backoff: q.retryBackoff ?? false,
        retry_delay_max: q.retryDelayMax ?? null,
        expire_seconds: q.expireInSeconds ?? 900,
        heartbeat_seconds: q.heartbeatSeconds ?? null,
        notify: q.notify ?? false,
        dead_letter: q.deadLetter ?? null,
        deletion_seconds: q.deleteAfterSeconds ?? 604800,
      });
    }
  });

  it('is out of reach of the API roles', async () => {
    for (const role of ['anon', 'authenticated'] as const) {
      const claims = role === 'anon' ? { ...claimsOf(user), role } : claimsOf(user);
      const code = await pgError(() =>
        asUser(db.sql, claims, (tx) => tx`select count(*) from pgboss.job`),
      );
      expect(code).toBe(DENIED);
    }
    const [row] = await asService(db.sql, (tx) => tx`select count(*)::int as n from pgboss.job`);
    expect(row!.n).toBeGreaterThanOrEqual(0);
  });
});

describe('enqueue', () => {
  it("writes the job in the caller's transaction, and gives the caller their role back", async () => {
    const { generation, job, roleAfter } = await asUser(db.sql, claimsOf(user), async (tx) => {
      const generation = await newGeneration(tx);
      const job = await enqueue(tx, 'generation', {
        generation_id: generation,
        project_id: project,
      });
      const [r] = await tx<{ role: string }[]>`select current_user as role`;
      return { generation, job, roleAfter: r!.role };
    });
    expect(job).toBe(generation);
    expect(roleAfter).toBe('authenticated');
    const [row] = await db.sql`
      select name, state, singleton_key, data from pgboss.job where id = ${job}`;
    expect(row).toMatchObject({
      name: 'generation',
      state: 'created',
      singleton_key: project,
      data: { generation_id: generation, project_id: project },
    });
  });

  it("prepares pg-boss's statements once per connection, and reuses them", async () => {
    const pool = createDb(db.url, { max: 1, name: 'jobs-prepared' });
    try {
      const send = () =>
        asService(pool, async (tx) => {
          await enqueue(tx, 'whatsapp.intake', { keys: [randomUUID()] });
          return tx<{ statement: string }[]>`select statement from pg_prepared_statements`;
        });
      const first = await send();
      expect(first.filter((r) => r.statement.includes('pgboss.job')).length).toBeGreaterThan(0);
      // Later sends find every statement prepared: none is added.
      expect((await send()).length).toBe(first.length);
      expect((await send()).length).toBe(first.length);
    } finally {
      await pool.end();
    }
  });

  it('writes nothing when the transaction rolls back', async () => {
    let job = '';
    await expect(
      asUser(db.sql, claimsOf(user), async (tx) => {
        const generation = await newGeneration(tx);
        job = await enqueue(tx, 'generation', { generation_id: generation, project_id: project });
        throw new Error('the request failed after enqueueing');
      }),
    ).rejects.toThrow('the request failed after enqueueing');
    expect(job).not.toBe('');
    expect(await db.sql`select 1 from pgboss.job where id = ${job}`).toHaveLength(0);
    expect(await db.sql`select 1 from public.code_generations where id = ${job}`).toHaveLength(0);
  });

  it('refuses a payload its queue does not take', async () => {
    await expect(
      asUser(db.sql, claimsOf(user), (tx) =>
        enqueue(tx, 'generation', { generation_id: 'nope', project_id: project }),
      ),
    ).rejects.toThrow();
  });

  it('cancels a queued job in the same way', async () => {
    const job = await asUser(db.sql, claimsOf(user), async (tx) => {
      const generation = await newGeneration(tx);
      return enqueue(tx, 'generation', { generation_id: generation, project_id: project });
    });
    await asUser(db.sql, claimsOf(user), (tx) => cancelJob(tx, 'generation', job));
    const [row] = await db.sql`select state from pgboss.job where id = ${job}`;
    expect(row!.state).toBe('cancelled');
  });
});
