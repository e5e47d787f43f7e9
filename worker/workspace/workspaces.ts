import { randomBytes } from 'node:crypto';
import { cp, lstat, mkdir, readdir, realpath, rename, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Clock, systemClock } from '../../shared/clock.ts';
import type { GeneratedFile } from '../llm/protocol.ts';
import { ProjectLocks, type WorkspaceLock } from './lock.ts';
import { checkRelativePath, TOOL_FOLDERS, WorkspacePathError } from './paths.ts';
import { readInside, TEMP_FILE, writeInside } from './safe-write.ts';

/** The app every workspace starts as. */
export const TEMPLATE_DIR = fileURLToPath(new URL('../template/', import.meta.url));

const PROJECT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const MAX_FILE_BYTES = 1024 * 1024;
const MAX_FILES = 100;

export interface WorkspacesOptions {
  /** Where workspaces live: `<root>/<projectId>/`, plus `.locks/` and `.staging/`. */
  root: string;
  templateDir?: string;
  clock?: Clock;
  /** How often a lock held by another process is looked at again. Default 100 ms. */
  lockPollMs?: number;
}

/**
 * Per-project working folders. Each is made once from the template app and reused, so its
 * packages and build cache stay warm. Files from the LLM or a request are written only
 * inside it (see `writeInside`), by the holder of the project's lock.
 *
 * @example
 * const workspaces = new Workspaces({ root: '/var/lib/flutter-studio/workspaces' });
 * const lock = await workspaces.lock(projectId, { signal });
 * try {
 *   const { dir } = await workspaces.open(projectId);
 *   await workspaces.writeFiles(projectId, reply.files);
 *   // … run the toolchain in dir …
 * } finally {
 *   await lock.release();
 * }
 */
export class Workspaces {
  readonly root: string;
  private readonly templateDir: string;
  private readonly locks: ProjectLocks;

  constructor(opts: WorkspacesOptions) {
    this.root = opts.root;
    this.templateDir = opts.templateDir ?? TEMPLATE_DIR;
    this.locks = new ProjectLocks({
      dir: join(opts.root, '.locks'),
      clock: opts.clock ?? systemClock,
      pollMs: opts.lockPollMs,
    });
  }

  /** The project's folder (it may not exist yet). Refuses ids that are not plain names. */
  dirFor(projectId: string): string {
    if (!PROJECT_ID.test(projectId))
      throw new Error(`Not a project id: ${JSON.stringify(projectId)}`);
    return join(this.root, projectId);
  }

  /** The project's exclusive lock, waited for in order; rejects when `signal` aborts first. */
  lock(projectId: string, opts: { signal?: AbortSignal } = {}): Promise<WorkspaceLock> {
    this.dirFor(projectId);
    return this.locks.acquire(projectId, opts.signal);
  }

  /**
   * The project's folder, copied from the template the first time. The copy is made aside
   * and renamed into place, so a crash never leaves a half-made workspace to be reused.
   */
  async open(projectId: string): Promise<{ dir: string; created: boolean }> {
    const dir = this.dirFor(projectId);
    const existing = await lstat(dir).catch(() => undefined);
    if (existing?.isDirectory()) return { dir, created: false };
    if (existing) throw new Error(`Workspace path is not a folder: ${dir}`);
    const staging = join(this.root, '.staging', `${projectId}-${randomBytes(6).toString('hex')}`);
    await mkdir(join(this.root, '.staging'), { recursive: true });
    await cp(this.templateDir, staging, {
      recursive: true,
      verbatimSymlinks: true,
      // The template's own build output or package cache, if any, is not copied.
      filter: (src) =>
        !relative(this.templateDir, src)
          .split(sep)
          .some((part) => TOOL_FOLDERS.has(part)),
    });
    try {
      await rename(staging, dir);
      return { dir, created: true };
    } catch (e) {
      await rm(staging, { recursive: true, force: true });
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'ENOTEMPTY') return { dir, created: false };
      throw e;
    }
  }

  /**
   * Writes files into the project's workspace. Every path is checked before anything is
   * written (so one bad path writes nothing); symlinks are checked on disk as each file is
   * written. Returns the paths written, normalised.
   */
  async writeFiles(projectId: string, files: GeneratedFile[]): Promise<string[]> {
    const dir = this.dirFor(projectId);
    if (files.length > MAX_FILES)
      throw new Error(`Too many files: ${files.length} (at most ${MAX_FILES})`);
    const paths = files.map((f) => {
      const normal = checkRelativePath(f.path).join('/');
      if (Buffer.byteLength(f.content) > MAX_FILE_BYTES) {
        throw new WorkspacePathError('too_long', f.path, `larger than ${MAX_FILE_BYTES} bytes`);
      }
      return normal;
    });
    for (const [i, path] of paths.entries()) await writeInside(dir, path, files[i]?.content ?? '');
    return paths;
  }

  /** Reads a file of the workspace with the same checks; `undefined` when absent. */
  readFile(projectId: string, path: string): Promise<string | undefined> {
    return readInside(this.dirFor(projectId), path);
  }

  /**
   * The app's sources for a prompt: pubspec.yaml and the Dart files under lib/ and test/,
   * without following symlinks, up to `maxBytes` in all.
   */
  async sources(projectId: string, opts: { maxBytes?: number } = {}): Promise<GeneratedFile[]> {
    const dir = this.dirFor(projectId);
    const paths = [
      'pubspec.yaml',
      ...(await dartFiles(dir, 'lib')),
      ...(await dartFiles(dir, 'test')),
    ];
    const out: GeneratedFile[] = [];
    let budget = opts.maxBytes ?? 200_000;
    for (const path of paths) {
      const content = await readInside(dir, path).catch(() => undefined);
      if (content === undefined || Buffer.byteLength(content) > budget) continue;
      budget -= Buffer.byteLength(content);
      out.push({ path, content });
    }
    return out;
  }

  /**
   * Removes what interrupted work left: half-made workspaces, lock files of processes that
   * are gone, and temporary files of interrupted writes. Returns what it removed. Run at
   * start-up and after a crash; never while this process holds locks it still uses.
   */
  async cleanLeftovers(): Promise<string[]> {
    const removed: string[] = [];
    const staging = join(this.root, '.staging');
    for (const name of await readdir(staging).catch(() => [] as string[])) {
      await rm(join(staging, name), { recursive: true, force: true });
      removed.push(join(staging, name));
    }
    for (const name of await readdir(join(this.root, '.locks')).catch(() => [] as string[])) {
      const id = name.replace(/\.lock$/, '');
      if (PROJECT_ID.test(id) && (await this.locks.isStale(id))) {
        await rm(this.locks.pathFor(id), { force: true });
        removed.push(this.locks.pathFor(id));
      }
    }
    for (const name of await readdir(this.root).catch(() => [] as string[])) {
      if (!PROJECT_ID.test(name)) continue;
      for (const temp of await tempFiles(join(this.root, name), 0)) {
        await rm(temp, { force: true });
        removed.push(temp);
      }
    }
    return removed;
  }

  /**
   * Removes what the toolchain made in the project's workspace (build output, package
   * resolution: all made again by the next run) and temporary files, keeping its sources.
   * What a run that ran out of room does, so the room comes back.
   */
  async clean(projectId: string): Promise<void> {
    const dir = this.dirFor(projectId);
    for (const folder of TOOL_FOLDERS) {
      if (folder !== '.git') await rm(join(dir, folder), { recursive: true, force: true });
    }
    for (const temp of await tempFiles(dir, 0)) await rm(temp, { force: true });
  }

  /** Deletes the project's workspace (its lock file stays with the lock). */
  async remove(projectId: string): Promise<void> {
    await rm(this.dirFor(projectId), { recursive: true, force: true });
  }
}

/** `lib/**.dart` paths, relative to `dir`, never through a symlink. */
async function dartFiles(dir: string, under: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string, depth: number) => {
    if (depth > 16) return;
    const entries = await readdir(join(dir, rel), { withFileTypes: true }).catch(() => []);
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(path, depth + 1);
      else if (e.isFile() && e.name.endsWith('.dart')) out.push(path);
    }
  };
  const real = await realpath(join(dir, under)).catch(() => undefined);
  if (real === join(await realpath(dir).catch(() => dir), under)) await walk(under, 0);
  return out;
}

/** Temporary files of interrupted writes under `dir`, outside the toolchain's folders. */
async function tempFiles(dir: string, depth: number): Promise<string[]> {
  if (depth > 16) return [];
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (e.isDirectory() && !TOOL_FOLDERS.has(e.name))
      out.push(...(await tempFiles(join(dir, e.name), depth + 1)));
    else if (e.isFile() && TEMP_FILE.test(e.name)) out.push(join(dir, e.name));
  }
  return out;
}
