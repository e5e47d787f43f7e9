import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/local/ports.ts';
import { type LocalWorker, startLocalWorker } from '../../scripts/local/worker.ts';
import { useLocalStack } from '../helpers/stack.ts';
import { ended, eventsOf, whileRunning } from '../helpers/worker.ts';
import { expectAllEnded, settledEmpty, signUp } from './system.ts';
import { faultToolchain } from './toolchain.ts';

// The worker process killed with SIGKILL while a step runs: nothing of it may keep running
// (not even a toolchain that ignores the terminal's hang-up), and a new worker takes the
// generation back through its lease and ends it.
const toolchain = faultToolchain();
const h = useLocalStack(
  { GOTRUE_MAILER_AUTOCONFIRM: 'true' },
  {
    worker: {
      env: {
        ...toolchain.env,
        POLL_INTERVAL_S: '0.5',
        LEASE_S: '3',
        KILL_GRACE_S: '1',
        LOG_LEVEL: 'silent',
      },
    },
  },
);
let replacement: LocalWorker | undefined;
afterAll(async () => {
  await replacement?.stop();
});

describe('the worker killed mid-job', () => {
  it('takes its toolchain with it; a new worker recovers the generation and ends it', async () => {
    const user = await signUp(h.stack.gatewayUrl);
    const project = await user.project('Killed');
    toolchain.set('pub', 'hang');
    const id = await user.generate(project, 'a notes app');
    await whileRunning(h.db.sql, id, 'pub_get');
    expect(toolchain.processes().length).toBeGreaterThan(0);

    const dead = h.stack.worker;
    if (!dead) throw new Error('the stack started no worker');
    process.kill(dead.pid, 'SIGKILL');
    expect(await dead.exited).toBe('SIGKILL');
    // Before any other worker looks: the pty child and what it started are gone with it.
    expect(await settledEmpty(toolchain.processes)).toEqual([]);

    toolchain.set('pub', 'fast');
    replacement = await startLocalWorker({
      ...h.stack.workerEnv,
      WORKER_PORT: String(await freePort()),
    });
    // Its retry is due at once rather than after the queue's backoff.
    await h.db.sql`update pgboss.job set start_after = now() where id = ${id}`;
    expect(await ended(h.db.sql, id, 30_000)).toMatchObject({ status: 'succeeded' });
    const kinds = (await eventsOf(h.db.sql, id)).map((e) => e.type);
    expect(kinds.filter((k) => k === 'Result')).toHaveLength(1);
    expect((await eventsOf(h.db.sql, id)).find((e) => e.type === 'Error')?.data).toMatchObject({
      kind: 'worker_lost',
      retrying: true,
    });
    await expectAllEnded(h.db.sql);
    expect(toolchain.processes()).toEqual([]);
  });
});
