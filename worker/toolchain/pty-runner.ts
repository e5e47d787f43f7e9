import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { spawn as spawnPty } from '@lydell/node-pty';
import { type Clock, systemClock } from '../../shared/clock.ts';
import type { ProcessGuard } from './group-guard.ts';
import { type OutputChunk, OutputChunker, realSchedule, type Schedule } from './output-chunker.ts';
import { groupAlive, signalGroup, signalName } from './process-group.ts';
import { TailBuffer } from './tail-buffer.ts';

export interface PtyRunOptions {
  command: string;
  args?: string[];
  cwd: string;
  /** The whole environment of the process (default: this process's). */
  env?: Record<string, string | undefined>;
  /** After this long the process group is stopped: TERM, then KILL after `killGraceMs`. */
  timeoutMs: number;
  /** Between TERM and KILL. Default 5 s. */
  killGraceMs?: number;
  /** Aborting stops the process group the same way. */
  signal?: AbortSignal;
  /** Output in chunks (at most `chunkMaxBytes`, at most `chunkMaxDelayMs` late). */
  onOutput?: (chunk: OutputChunk) => void | Promise<void>;
  /** Told of the process group while it lives, to kill it should the worker die first. */
  guard?: ProcessGuard;
  /** As soon as the process exists, with its process group id (to record for crash cleanup). */
  onStart?: (info: { pid: number; pgid: number }) => void;
  chunkMaxBytes?: number;
  chunkMaxDelayMs?: number;
  /** Bytes of recent output kept for the result's `tail`. Default 64 KiB. */
  tailBytes?: number;
  cols?: number;
  rows?: number;
  clock?: Clock;
  schedule?: Schedule;
}

export interface PtyRunResult {
  /** `exited` on its own; `timeout` or `aborted` when the runner stopped it. */
  outcome: 'exited' | 'timeout' | 'aborted';
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  pid: number;
  durationMs: number;
  /** All output bytes, including those no longer in `tail`. */
  outputBytes: number;
  /** The last `tailBytes` of output, for error reports. */
  tail: string;
}

export interface PtyProcess {
  readonly pid: number;
  /** Types into the terminal (`q` to quit `flutter run`, `r` to restart). */
  write(data: string): void;
  /** Stops the process group (TERM, then KILL after the grace). */
  stop(): void;
  readonly done: Promise<PtyRunResult>;
}

/** The process could not be started (no such command, not executable, no such folder). */
export class SpawnError extends Error {
  override name = 'SpawnError';
}

function resolveCommand(command: string, cwd: string, path = ''): string {
  const runnable = (p: string) => {
    try {
      accessSync(p, fsConstants.X_OK);
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (command.includes('/')) {
    const full = isAbsolute(command) ? command : resolve(cwd, command);
    if (runnable(full)) return full;
    throw new SpawnError(`Cannot run ${command}: not an executable file`);
  }
  for (const dir of path.split(delimiter).filter(Boolean)) {
    if (runnable(join(dir, command))) return join(dir, command);
  }
  throw new SpawnError(`Cannot run ${command}: not found on PATH`);
}

/**
 * Starts a command in a pseudo-terminal, as its own session and process group, and
 * reports its output in bounded chunks while keeping only a bounded tail. On timeout or
 * abort the whole group is stopped (TERM, then KILL after a grace), and processes the
 * command left behind when it exits are killed too, so nothing of it outlives `done`.
 * Memory does not grow with output: a slow `onOutput` pauses the terminal instead.
 *
 * @example
 * const run = startPty({ command: flutterBin, args: ['pub', 'get'], cwd, timeoutMs: 120_000, signal, onOutput });
 * const result = await run.done; // { outcome: 'exited', exitCode: 0, tail, … }
 */
export function startPty(opts: PtyRunOptions): PtyProcess {
  const clock = opts.clock ?? systemClock;
  const schedule = opts.schedule ?? realSchedule;
  const env = Object.fromEntries(
    Object.entries(opts.env ?? process.env).filter(
      (e): e is [string, string] => e[1] !== undefined,
    ),
  );
  try {
    if (!statSync(opts.cwd).isDirectory()) throw new Error('not a directory');
  } catch {
    throw new SpawnError(`Cannot run ${opts.command}: no such folder ${opts.cwd}`);
  }
  const file = resolveCommand(opts.command, opts.cwd, env.PATH);
  const started = clock.now();
  const tail = new TailBuffer(opts.tailBytes ?? 64 * 1024);
  const term = spawnPty(file, opts.args ?? [], {
    name: 'xterm-256color',
    cols: opts.cols ?? 120,
    rows: opts.rows ?? 40,
    cwd: opts.cwd,
    env,
    encoding: null,
  });
  const pid = term.pid;
  opts.guard?.watch(pid);
  const chunker = new OutputChunker({
    maxBytes: opts.chunkMaxBytes,
    maxDelayMs: opts.chunkMaxDelayMs,
    emit: opts.onOutput ?? (() => {}),
    onPressure: (paused) => (paused ? term.pause() : term.resume()),
    schedule,
  });
  // node-pty hands out Buffers when `encoding` is null; its types only know strings.
  term.onData((data: unknown) => {
    const bytes = data as Buffer;
    tail.push(bytes);
    chunker.push(bytes);
  });

  let outcome: PtyRunResult['outcome'] = 'exited';
  let cancelKill: (() => void) | undefined;
  let exited = false;
  const stop = (why: 'timeout' | 'aborted') => {
    if (exited || outcome !== 'exited') return;
    outcome = why;
    signalGroup(pid, 'SIGTERM');
    cancelKill = schedule(() => {
      if (!exited) signalGroup(pid, 'SIGKILL');
    }, opts.killGraceMs ?? 5_000);
  };
  const cancelTimeout = schedule(() => stop('timeout'), opts.timeoutMs);
  const onAbort = () => stop('aborted');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) stop('aborted');
  opts.onStart?.({ pid, pgid: pid });

  const done = new Promise<PtyRunResult>((settle, fail) => {
    term.onExit(({ exitCode, signal }) => {
      exited = true;
      cancelTimeout();
      cancelKill?.();
      opts.signal?.removeEventListener('abort', onAbort);
      chunker.flush(true);
      // What the command started and left running goes with it, before `done` resolves.
      Promise.all([reapGroup(pid, schedule), chunker.drained()]).then(() => {
        opts.guard?.unwatch(pid);
        settle({
          outcome,
          exitCode: signal ? null : exitCode,
          signal: signalName(signal),
          pid,
          durationMs: clock.now() - started,
          outputBytes: tail.total,
          tail: tail.toString(),
        });
      }, fail);
    });
  });
  return {
    pid,
    write: (data) => term.write(data),
    stop: () => stop('aborted'),
    done,
  };
}

/**
 * Kills what is left of a process group and waits until the kernel has no member of it
 * (killed processes linger an instant, as zombies, until reaped). Gives up after ~2 s: a
 * process in uninterruptible sleep cannot be hurried.
 */
async function reapGroup(pgid: number, schedule: Schedule): Promise<void> {
  for (let i = 0; i < 200 && groupAlive(pgid); i++) {
    signalGroup(pgid, 'SIGKILL');
    await new Promise<void>((wake) => schedule(wake, 10));
  }
}

/** Runs a command to its end under a PTY; see `startPty`. */
export const runPty = (opts: PtyRunOptions): Promise<PtyRunResult> => startPty(opts).done;
