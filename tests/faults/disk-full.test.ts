import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freeBytes } from '../../worker/workspace/space.ts';
import { useLocalStack } from '../helpers/stack.ts';
import { ended, eventsOf } from '../helpers/worker.ts';
import { expectAllEnded, settledEmpty, signUp } from './system.ts';
import { FILL_MB, faultToolchain } from './toolchain.ts';

// A full disk for workspaces. Where this process may mount (root, as here and in CI), the
// workspaces live on a real 24 MiB tmpfs that the toolchain fills until the kernel refuses;
// elsewhere the same run meets the worker's own quota (WORKSPACE_MAX_MB) instead. Either way
// the generation fails saying there is no room, the build output goes, and the worker goes on.
const SIZE_MB = 24;
const workspaces = mkdtempSync(join(tmpdir(), 'fault-workspaces-'));
let mounted = false;
// FAULTS_DISK=quota runs the quota's way even where mounting works.
try {
  if (process.env.FAULTS_DISK === 'quota') throw new Error('the quota was asked for');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${SIZE_MB}m`, 'tmpfs', workspaces], {
    stdio: 'ignore',
  });
  mounted = true;
} catch {
  // Not allowed here: the quota stands in for the disk.
}
const mode = mounted ? `a full ${SIZE_MB} MiB tmpfs` : `the worker's ${SIZE_MB} MiB quota`;
console.info(`disk-full scenario: workspaces on ${mode}`);
// Registered before the stack, so it runs after the stack (and its worker) stopped.
afterAll(() => {
  if (mounted) execFileSync('umount', [workspaces]);
  rmSync(workspaces, { recursive: true, force: true });
});

const toolchain = faultToolchain();
const h = useLocalStack(
  { GOTRUE_MAILER_AUTOCONFIRM: 'true' },
  {
    worker: {
      env: {
        ...toolchain.env,
        WORKSPACES_DIR: workspaces,
        WORKSPACES_MIN_FREE_MB: '1',
        ...(mounted ? {} : { WORKSPACE_MAX_MB: String(SIZE_MB) }),
        POLL_INTERVAL_S: '0.5',
        LOG_LEVEL: 'silent',
      },
    },
  },
);

describe(`a full disk for workspaces (${mode})`, () => {
  it('fails the generation clearly, cleans the workspace, and the worker goes on', async () => {
    expect(FILL_MB).toBeGreaterThan(SIZE_MB);
    const user = await signUp(h.stack.gatewayUrl);
    const project = await user.project('Full');
    toolchain.set('build', 'fill');
    const id = await user.generate(project, 'a photo album');
    const row = await ended(h.db.sql, id, 30_000);
    expect(row.status).toBe('failed');
    expect(row.error).toMatch(
      mounted ? /^No space left for workspaces: \d+ MiB free/ : /^The workspace is over its quota/,
    );
    const error = (await eventsOf(h.db.sql, id)).find((e) => e.type === 'Error');
    expect(error?.data).toMatchObject({ kind: 'disk_full', step: 'build' });

    // The build output went, the sources stayed, and the room is back.
    const dir = join(workspaces, project);
    expect(existsSync(join(dir, 'build'))).toBe(false);
    expect(existsSync(join(dir, 'lib', 'main.dart'))).toBe(true);
    if (mounted) expect(await freeBytes(workspaces)).toBeGreaterThan((SIZE_MB / 2) * 1024 * 1024);
    expect(await settledEmpty(toolchain.processes)).toEqual([]);

    toolchain.set('build', 'fast');
    const next = await user.generate(project, 'a photo album, again');
    expect(await ended(h.db.sql, next, 30_000)).toMatchObject({ status: 'succeeded' });
    await expectAllEnded(h.db.sql);
  });
});
