import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_ANON_KEY } from '../../scripts/local/keys.ts';
import { freePort } from '../../scripts/local/ports.ts';
import { type LocalWorker, startLocalWorker } from '../../scripts/local/worker.ts';
import { runningMembers } from '../../worker/toolchain/process-group.ts';
import { appClient } from '../helpers/browser.ts';
import { useLocalStack } from '../helpers/stack.ts';
import { ended, eventsOf, slowFlutter, whileRunning } from '../helpers/worker.ts';

// A worker killed with SIGKILL in the middle of a step, and a new one started in its place:
// the generation ends, and nothing of the dead worker is left running or lying around.
const { bin, slow } = slowFlutter();
const h = useLocalStack(
  { GOTRUE_MAILER_AUTOCONFIRM: 'true' },
  {
    worker: {
      env: { FLUTTER_BIN: bin, POLL_INTERVAL_S: '0.5', LEASE_S: '3', LOG_LEVEL: 'silent' },
    },
  },
);
let replacement: LocalWorker | undefined;
afterAll(async () => {
  await replacement?.stop();
});

/** Every file under `dir`, relative, without descending into the toolchain's folders. */
async function files(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, rel), { withFileTypes: true }).catch(() => [])) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory() && !['.dart_tool', 'build'].includes(e.name))
      out.push(...(await files(dir, path)));
    else if (e.isFile()) out.push(path);
  }
  return out;
}

describe('a worker killed mid-job', () => {
  it('is replaced by one that ends the generation and leaves no process or stray file', async () => {
    const client = appClient(h.stack.gatewayUrl);
    const signedUp = await client.auth.signUp({
      email: `crash-${Date.now()}@example.com`,
      password: 'a-sturdy-password',
    });
    const token = signedUp.data.session?.access_token as string;
    const call = async (path: string, json: unknown) =>
      (
        await fetch(`${h.stack.gatewayUrl}/functions/v1/api${path}`, {
          method: 'POST',
          headers: {
            apikey: DEMO_ANON_KEY,
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify(json),
        })
      ).json();
    const project = (await call('/projects', { name: 'Crash' })).id as string;
    slow('pub');
    const id = (await call(`/projects/${project}/generations`, { prompt: 'a chat app' })).id;
    const groups = await whileRunning(h.db.sql, id, 'pub_get');

    const dead = h.stack.worker;
    if (!dead) throw new Error('the stack started no worker');
    process.kill(dead.pid, 'SIGKILL');
    expect(await dead.exited).toBe('SIGKILL');
    const workspace = join(h.stack.workerEnv.WORKSPACES_DIR as string, project);
    const lockDir = join(h.stack.workerEnv.WORKSPACES_DIR as string, '.locks');
    expect(existsSync(join(lockDir, `${project}.lock`))).toBe(true);

    slow('none');
    replacement = await startLocalWorker({
      ...h.stack.workerEnv,
      WORKER_PORT: String(await freePort()),
    });
    // Recovery ran before the new worker took any job: the dead one's processes are gone,
    // its lock removed, and the generation given back to the queue for another attempt.
    for (const g of groups) expect(runningMembers(g)).toEqual([]);
    expect(existsSync(join(lockDir, `${project}.lock`))).toBe(false);
    const lost = (await eventsOf(h.db.sql, id)).find((e) => e.type === 'Error');
    expect(lost?.data).toMatchObject({ kind: 'worker_lost', retrying: true });
    // Its retry is due at once rather than after the queue's backoff.
    await h.db.sql`update pgboss.job set start_after = now() where id = ${id}`;
    expect(await ended(h.db.sql, id, 30_000)).toMatchObject({ status: 'succeeded' });
    expect((await files(workspace)).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(
      await readdir(join(h.stack.workerEnv.WORKSPACES_DIR as string, '.staging')).catch(() => []),
    ).toEqual([]);
    const [row] = await h.db.sql`select process_groups, worker_id from public.code_generations
                                 where id = ${id}`;
    expect(row).toEqual({ process_groups: [], worker_id: null });
  });
});
