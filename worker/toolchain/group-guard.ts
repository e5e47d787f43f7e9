import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const GUARD_MAIN = fileURLToPath(new URL('./group-guard-main.ts', import.meta.url));

/** Told of every process group the worker starts, and of each one that ended. */
export interface ProcessGuard {
  watch(pgid: number): void;
  unwatch(pgid: number): void;
}

/** A guard that is a process of its own; `close` lets it go without killing anything. */
export interface GroupGuard extends ProcessGuard {
  readonly pid: number | undefined;
  close(): Promise<void>;
}

/**
 * Starts the worker's guard: a small process, in a session of its own, that holds a pipe from
 * the worker and the list of the worker's live process groups. When the pipe ends without a
 * goodbye (the worker was killed: SIGKILL, the OOM killer, a crash), it kills those groups.
 * A toolchain process usually dies with its terminal's hang-up, but one that ignores it (a
 * stuck tool, a daemon) would otherwise run on until recovery finds it, which may be never
 * when no worker comes back on this machine.
 *
 * @example
 * const guard = startGroupGuard();
 * startPty({ …, guard });
 * await guard.close(); // on a clean stop
 */
export function startGroupGuard(): GroupGuard {
  const child: ChildProcess = spawn(process.execPath, [GUARD_MAIN], {
    stdio: ['pipe', 'ignore', 'ignore'],
    // Its own session: Ctrl-C or a signal to the worker's group does not reach it.
    detached: true,
  });
  const pipe = child.stdin;
  let open = Boolean(pipe);
  // A guard that is gone cannot be told anything; the worker goes on without it.
  pipe?.on('error', () => {
    open = false;
  });
  child.on('exit', () => {
    open = false;
  });
  child.unref();
  (pipe as unknown as { unref?: () => void } | null)?.unref?.();
  const send = (line: string) => {
    if (open) pipe?.write(`${line}\n`);
  };
  return {
    pid: child.pid,
    watch: (pgid) => send(`+${pgid}`),
    unwatch: (pgid) => send(`-${pgid}`),
    close: async () => {
      if (!open || !pipe) return;
      const gone = new Promise<void>((done) => child.once('exit', () => done()));
      pipe.end('bye\n');
      await gone;
    },
  };
}
