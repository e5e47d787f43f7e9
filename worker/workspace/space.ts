import { lstat, readdir, statfs } from 'node:fs/promises';
import { join } from 'node:path';

/** How much room workspaces may take, in bytes. */
export interface SpaceLimits {
  /** Below this much free on the workspaces' filesystem, a failed step is put down to it. */
  minFreeBytes: number;
  /** A project's workspace may not grow past this (the worker's own quota); none when unset. */
  maxBytes?: number;
}

const mib = (bytes: number) => `${Math.max(0, Math.round(bytes / 1024 / 1024))} MiB`;

/** Free bytes for an unprivileged writer on the filesystem of `dir`; undefined if unknown. */
export async function freeBytes(dir: string): Promise<number | undefined> {
  const fs = await statfs(dir).catch(() => undefined);
  return fs ? fs.bavail * fs.bsize : undefined;
}

/** Bytes taken by the files under `dir`, symlinks not followed. */
export async function usedBytes(dir: string, depth = 0): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, e.name);
    if (e.isDirectory() && depth < 64) total += await usedBytes(path, depth + 1);
    else if (e.isFile()) total += (await lstat(path).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

/**
 * Why the workspace `dir` (under the workspaces' `root`) has no room, or undefined when it has:
 * the filesystem is (nearly) full, or the workspace is over its quota. A step that failed for
 * want of space then ends the generation with this, instead of the tool's own puzzled output.
 */
export async function spaceProblem(
  root: string,
  dir: string,
  limits: SpaceLimits,
): Promise<string | undefined> {
  const free = await freeBytes(root);
  if (free !== undefined && free < limits.minFreeBytes) {
    return `No space left for workspaces: ${mib(free)} free on their disk`;
  }
  if (limits.maxBytes !== undefined) {
    const used = await usedBytes(dir);
    if (used > limits.maxBytes) {
      return `The workspace is over its quota: ${mib(used)} used of ${mib(limits.maxBytes)}`;
    }
  }
  return undefined;
}

/** An error of the filesystem running out of room (or of the user's disk quota). */
export const isNoSpace = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
};
