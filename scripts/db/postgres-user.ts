import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chown,
  lstat,
  mkdir,
  readdir,
  readlink,
  rm,
  rmdir,
  symlink,
  unlink,
} from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { sharedFolder } from './postgres-binaries.ts';

/** The account PostgreSQL runs as when this process is root (it refuses to run as root). */
export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

const NAME = 'postgres';

/** User `postgres`, created (as a system user, as the PostgreSQL packages do) when missing. */
export function postgresUser(create: boolean): OsUser {
  let user = lookUp(NAME);
  if (!user && create) {
    try {
      execFileSync('groupadd', ['--force', '--system', NAME], { stdio: 'pipe' });
      execFileSync('useradd', ['--system', '--gid', NAME, '--no-create-home', NAME], {
        stdio: 'pipe',
      });
    } catch (err) {
      const why = String((err as { stderr?: unknown }).stderr ?? err)
        .trim()
        .split('\n')[0];
      throw new Error(
        `PostgreSQL cannot run as root and user postgres could not be created (${why}): create it (useradd --system postgres) or set DATABASE_URL`,
      );
    }
    user = lookUp(NAME);
  }
  if (!user) {
    throw new Error(
      'PostgreSQL cannot run as root and there is no user postgres to run it as: create it (useradd --system postgres) or set DATABASE_URL',
    );
  }
  return user;
}

function lookUp(name: string): OsUser | undefined {
  const id = (flag: string) => {
    const out = spawnSync('id', [flag, name], { encoding: 'utf8' });
    return out.status === 0 ? Number(out.stdout.trim()) : undefined;
  };
  const uid = id('-u');
  const gid = id('-g');
  return uid === undefined || gid === undefined ? undefined : { name, uid, gid };
}

/** Whether `user` can pass through `dir`: asked of the system as that user, ACLs included. */
export function canEnter(user: OsUser, dir: string): boolean {
  return spawnSync('test', ['-x', dir], { uid: user.uid, gid: user.gid }).status === 0;
}

/**
 * Where the cluster for `wanted` lives, ready for `user`: `wanted` itself when user can reach
 * it; otherwise (a folder only root can enter) `<lib>/embedded-postgres/data-<hash of wanted>`
 * with `wanted` made a link to it. The link is what keeps a data folder's meaning: remove
 * `wanted` (say, `.local/`) and the next run starts from an empty cluster, as it would have.
 */
export async function placeDataDir(wanted: string, user: OsUser): Promise<string> {
  const path = resolve(wanted);
  await mkdir(dirname(path), { recursive: true });
  if (canEnter(user, dirname(path))) {
    const existing = await lstat(path).catch(() => undefined);
    if (existing?.isSymbolicLink()) return readlink(path);
    await mkdir(path, { recursive: true });
    await chown(path, user.uid, user.gid);
    return path;
  }

  const root = await sharedFolder(['/var/lib', '/var/tmp', '/tmp']);
  const hash = createHash('sha256').update(path).digest('hex').slice(0, 16);
  const dir = join(root, `data-${hash}`);
  const existing = await lstat(path).catch(() => undefined);
  if (existing?.isSymbolicLink() && (await readlink(path)) === dir) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chown(dir, user.uid, user.gid);
    return dir;
  }
  if (existing?.isSymbolicLink()) await unlink(path);
  else if (existing && (await readdir(path)).length > 0) {
    throw new Error(
      `${path} holds files, and user postgres cannot reach it (a folder above it is private): move the project to a folder others can enter, or set DATABASE_URL`,
    );
  } else if (existing) await rmdir(path);

  // Left by an earlier run whose link is gone: that data was deleted as far as anyone can see.
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { mode: 0o700 });
  await chown(dir, user.uid, user.gid);
  await symlink(dir, path);
  return dir;
}
