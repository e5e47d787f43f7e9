import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, realpath, rename, unlink } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { checkRelativePath, WorkspacePathError } from './paths.ts';

/** Temporary files of an interrupted write: `.<name>.tmp-<hex>`, removed as leftovers. */
export const TEMP_FILE = /^\..+\.tmp-[0-9a-f]{16}$/;

const isMissing = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';

async function lstatOrUndefined(path: string) {
  try {
    return await lstat(path);
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

const inside = (root: string, path: string) => path === root || path.startsWith(root + sep);

/**
 * Walks the folders of `rel` under `root` (a real path), refusing any that is a symlink or
 * not a folder; with `create`, makes those missing. Returns the file's folder.
 */
export async function walkFolders(root: string, rel: string, create: boolean): Promise<string> {
  const parts = checkRelativePath(rel);
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    const next = join(dir, part);
    let stat = await lstatOrUndefined(next);
    if (!stat && create) {
      await mkdir(next).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
      stat = await lstat(next);
    }
    if (stat?.isSymbolicLink()) {
      throw new WorkspacePathError('symlink', rel, `${part} is a symbolic link`);
    }
    if (stat && !stat.isDirectory()) {
      throw new WorkspacePathError('not_a_directory', rel, `${part} is not a folder`);
    }
    dir = next;
  }
  const target = await lstatOrUndefined(join(dir, parts.at(-1) as string));
  if (target?.isSymbolicLink())
    throw new WorkspacePathError('symlink', rel, 'the file is a symbolic link');
  if (target?.isDirectory()) throw new WorkspacePathError('is_a_directory', rel, 'names a folder');
  return dir;
}

/**
 * Writes `content` to `rel` inside `root` and nowhere else: every folder on the way is
 * checked with lstat (a symlink planted in the workspace cannot redirect the write), the
 * data goes to a new temporary file opened with O_EXCL|O_NOFOLLOW and is renamed over the
 * target (which replaces a link itself, never what it points to), and the folder's real
 * path is checked once more before the rename, against a swap during the write.
 */
export async function writeInside(
  root: string,
  rel: string,
  content: string | Uint8Array,
): Promise<void> {
  const realRoot = await realpath(root);
  const dir = await walkFolders(realRoot, rel, true);
  const name = rel.split('/').filter(Boolean).at(-1) as string;
  const temp = join(dir, `.${name}.tmp-${randomBytes(8).toString('hex')}`);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const handle = await open(temp, flags, 0o644);
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
  try {
    if (!inside(realRoot, await realpath(dirname(temp)))) {
      throw new WorkspacePathError('outside', rel, 'its folder leads outside the workspace');
    }
    await rename(temp, join(dir, name));
  } catch (e) {
    await unlink(temp).catch(() => {});
    throw e;
  }
}

/** Reads `rel` inside `root` with the same checks; `undefined` when it does not exist. */
export async function readInside(root: string, rel: string): Promise<string | undefined> {
  const realRoot = await realpath(root);
  let dir: string;
  try {
    dir = await walkFolders(realRoot, rel, false);
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
  const name = rel.split('/').filter(Boolean).at(-1) as string;
  try {
    const handle = await open(join(dir, name), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      return await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (e) {
    if (isMissing(e)) return undefined;
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') {
      throw new WorkspacePathError('symlink', rel, 'the file is a symbolic link');
    }
    throw e;
  }
}
