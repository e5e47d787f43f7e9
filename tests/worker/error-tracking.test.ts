import { randomUUID } from 'node:crypto';
import { HttpResponse, http } from 'msw';
import { beforeAll, describe, expect, it } from 'vitest';
import { noReporter } from '../../shared/error-reporting.ts';
import { createLogger } from '../../shared/log.ts';
import { generationHandler } from '../../worker/generation/run.ts';
import {
  fatalErrorHandler,
  inJobScope,
  workerReporter,
} from '../../worker/runtime/error-tracking.ts';
import { useTestDatabase } from '../helpers/db.ts';
import { server } from '../helpers/msw.ts';
import { ended, startGeneration, until, useLlmServer, useWorker } from '../helpers/worker.ts';
import { createAuthUser } from '../integration/identity/fixtures.ts';
import { createProject } from '../integration/projects/fixtures.ts';

// The worker reports unhandled errors to Sentry as the functions do (shared/error-reporting.ts),
// tagged with the job and its generation; msw stands in for Sentry's ingest endpoint.
const DSN = 'https://workerkey@errors.example.com/7';

interface SentryEvent {
  tags: Record<string, string>;
  environment: string;
  exception: { values: Array<{ type: string; value: string }> };
}

/** Events that reach Sentry's envelope endpoint for DSN; and any other outside request. */
function sentry() {
  const events: SentryEvent[] = [];
  const elsewhere: string[] = [];
  server.use(
    http.post('https://errors.example.com/api/7/envelope/', async ({ request }) => {
      expect(request.headers.get('x-sentry-auth')).toContain('sentry_key=workerkey');
      const [, , event] = (await request.text()).split('\n');
      events.push(JSON.parse(event ?? '{}'));
      return HttpResponse.json({ id: 'x' });
    }),
    http.all(/^https?:\/\/(?!127\.0\.0\.1[:/]|localhost[:/])/, ({ request }) => {
      elsewhere.push(request.url);
      return HttpResponse.json({});
    }),
  );
  return { events, elsewhere };
}

const silent = createLogger({ level: 'silent' });

describe('with SENTRY_DSN', () => {
  const db = useTestDatabase();
  const llm = useLlmServer();
  let throwing = '';
  let exploding = '';
  const h = useWorker(db, llm, {
    env: { SENTRY_DSN: DSN, SENTRY_ENVIRONMENT: 'staging' },
    options: {
      // A handler that throws for one project, and a workspace that breaks for another.
      handlers: (deps) => {
        const real = generationHandler(deps);
        return {
          generation: async (payload, ctx) => {
            if (payload.project_id === throwing) throw new Error('handler exploded');
            return real(payload, ctx);
          },
        };
      },
      tune: (deps) => {
        const open = deps.workspaces.open.bind(deps.workspaces);
        deps.workspaces.open = async (projectId) => {
          if (projectId === exploding) throw new TypeError('workspace exploded');
          return open(projectId);
        };
      },
    },
  });
  let user = '';
  beforeAll(async () => {
    user = await createAuthUser(db.sql);
    throwing = await createProject(db.sql, user, 'Throws');
    exploding = await createProject(db.sql, user, 'Explodes');
  });

  it('reports an error thrown by a job handler with its job and generation id', async () => {
    const { events } = sentry();
    const id = await startGeneration(db.sql, user, throwing, { prompt: 'an app' });
    await until(
      async () => events.length,
      (n) => n > 0,
      15_000,
      'the report',
    );
    expect(events[0]?.tags).toEqual({ job_id: id, queue: 'generation', generation_id: id });
    expect(events[0]?.environment).toBe('staging');
    expect(events[0]?.exception.values.at(-1)).toMatchObject({ value: 'handler exploded' });
  });

  it('reports a generation that failed unexpectedly, which ends failed', async () => {
    const { events } = sentry();
    const id = await startGeneration(db.sql, user, exploding, { prompt: 'an app' });
    expect(await ended(db.sql, id)).toMatchObject({
      status: 'failed',
      error: 'The worker failed unexpectedly',
    });
    await h.worker.errors.flush();
    expect(events.map((e) => e.tags)).toEqual([
      { job_id: id, queue: 'generation', generation_id: id },
    ]);
    expect(events[0]?.exception.values.at(-1)).toMatchObject({
      type: 'TypeError',
      value: 'workspace exploded',
    });
  });

  it('reports an uncaught exception with the job it escaped from, then exits 1', async () => {
    const { events } = sentry();
    const errors = workerReporter({ SENTRY_DSN: DSN, SENTRY_ENVIRONMENT: 'staging' });
    const exits: number[] = [];
    const fatal = fatalErrorHandler({ errors, log: silent, exit: (code) => exits.push(code) });
    const job = randomUUID();
    inJobScope({ job_id: job, queue: 'generation', generation_id: job }, () =>
      fatal(new Error('escaped a callback'), 'uncaughtException'),
    );
    // Outside any job: an unhandled rejection is reported with no job.
    fatal(new Error('nobody caught this'), Promise.resolve());
    await until(
      async () => exits,
      (e) => e.length > 0,
      5_000,
      'the exit',
    );
    expect(exits).toEqual([1]);
    expect(events.map((e) => e.tags)).toEqual([
      { job_id: job, queue: 'generation', generation_id: job, kind: 'uncaughtException' },
      { kind: 'unhandledRejection' },
    ]);
  });
});

describe('without SENTRY_DSN', () => {
  const db = useTestDatabase();
  const llm = useLlmServer();
  let throwing = '';
  const h = useWorker(db, llm, {
    options: {
      handlers: () => ({
        generation: async (payload) => {
          if (payload.project_id === throwing) throw new Error('handler exploded');
        },
      }),
    },
  });

  it('sends nothing anywhere', async () => {
    const { events, elsewhere } = sentry();
    const user = await createAuthUser(db.sql);
    throwing = await createProject(db.sql, user, 'Throws');
    const id = await startGeneration(db.sql, user, throwing, { prompt: 'an app' });
    await until(
      async () => (await db.sql`select state from pgboss.job where id = ${id}`)[0]?.state,
      (state) => state === 'retry' || state === 'failed',
      15_000,
      'the job to fail',
    );
    const fatal = fatalErrorHandler({ errors: h.worker.errors, log: silent, exit: () => {} });
    fatal(new Error('escaped'), 'uncaughtException');
    await h.worker.errors.flush();
    expect(h.worker.errors).toBe(noReporter);
    expect(events).toEqual([]);
    expect(elsewhere).toEqual([]);
  });
});
