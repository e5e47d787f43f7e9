import { randomBytes } from 'node:crypto';
import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../shared/clock.ts';
import { sleepFor } from '../llm/retry.ts';

export interface WorkspaceLock {
  readonly projectId: string;
  /** Lets the next holder in; idempotent. */
  release(): Promise<void>;
}

interface LockFile {
  pid: number;
  host: string;
  token: string;
  acquiredAt: number;
}

const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * One holder per project at a time: in this process, callers queue in order; across
 * processes on this machine, a lock file created with O_EXCL holds the holder's pid, and
 * a file whose process is gone (a worker that crashed) is taken over.
 */
export class ProjectLocks {
  private readonly dir: string;
  private readonly clock: Clock;
  private readonly pollMs: number;
  private readonly queues = new Map<string, Promise<void>>();

  constructor(opts: { dir: string; clock: Clock; pollMs?: number }) {
    this.dir = opts.dir;
    this.clock = opts.clock;
    this.pollMs = opts.pollMs ?? 100;
  }

  pathFor(projectId: string): string {
    return join(this.dir, `${projectId}.lock`);
  }

  /** Waits for the project's lock; rejects if `signal` aborts first. */
  async acquire(projectId: string, signal?: AbortSignal): Promise<WorkspaceLock> {
    const previous = this.queues.get(projectId) ?? Promise.resolve();
    let leave: () => void = () => {};
    const turn = new Promise<void>((done) => {
      leave = done;
    });
    const queue = previous.then(() => turn);
    this.queues.set(projectId, queue);
    let token: string;
    try {
      await abortable(previous, signal);
      token = await this.takeFile(projectId, signal);
    } catch (e) {
      // Our place in the queue passes on once the one before us is done.
      void previous.then(leave);
      this.forget(projectId, queue);
      throw e;
    }
    let released = false;
    return {
      projectId,
      release: async () => {
        if (released) return;
        released = true;
        await this.dropFile(projectId, token);
        leave();
        this.forget(projectId, queue);
      },
    };
  }

  /** Whether the lock file belongs to a process that is gone (on this host). */
  async isStale(projectId: string): Promise<boolean> {
    const held = await this.readFile(projectId);
    return held !== undefined && held.host === hostname() && !pidAlive(held.pid);
  }

  private forget(projectId: string, queue: Promise<void>) {
    void queue.then(() => {
      if (this.queues.get(projectId) === queue) this.queues.delete(projectId);
    });
  }

  private async takeFile(projectId: string, signal?: AbortSignal): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const token = randomBytes(12).toString('hex');
    const body: LockFile = {
      pid: process.pid,
      host: hostname(),
      token,
      acquiredAt: this.clock.now(),
    };
    for (;;) {
      try {
        await writeFile(this.pathFor(projectId), JSON.stringify(body), { flag: 'wx' });
        return token;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      if (await this.isStale(projectId)) {
        await unlink(this.pathFor(projectId)).catch(() => {});
        continue;
      }
      await sleepFor(this.pollMs, signal);
    }
  }

  private async readFile(projectId: string): Promise<LockFile | undefined> {
    try {
      return JSON.parse(await readFile(this.pathFor(projectId), 'utf8')) as LockFile;
    } catch {
      return undefined;
    }
  }

  private async dropFile(projectId: string, token: string) {
    const held = await this.readFile(projectId);
    if (held?.token === token) await unlink(this.pathFor(projectId)).catch(() => {});
  }
}

function abortable(promise: Promise<void>, signal?: AbortSignal): Promise<void> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((done, fail) => {
    const onAbort = () => fail(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(() => {
      signal.removeEventListener('abort', onAbort);
      done();
    }, fail);
  });
}
