import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeBytes, isNoSpace, spaceProblem, usedBytes } from '../../worker/workspace/space.ts';

// The room workspaces have: the disk's free space and the worker's own per-workspace quota
// (the fault suite fills a real filesystem; this covers the arithmetic and the quota).
let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'space-'));
  await writeFile(join(dir, 'a.bin'), Buffer.alloc(3 * 1024 * 1024));
  await writeFile(join(dir, 'b.txt'), 'hello');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('workspace space', () => {
  it('counts the bytes of a workspace', async () => {
    expect(await usedBytes(dir)).toBe(3 * 1024 * 1024 + 5);
    expect(await freeBytes(dir)).toBeGreaterThan(0);
  });

  it('says when a workspace is over its quota, and nothing while it is within it', async () => {
    expect(await spaceProblem(dir, dir, { minFreeBytes: 0, maxBytes: 2 * 1024 * 1024 })).toBe(
      'The workspace is over its quota: 3 MiB used of 2 MiB',
    );
    expect(await spaceProblem(dir, dir, { minFreeBytes: 0, maxBytes: 4 * 1024 * 1024 })).toBe(
      undefined,
    );
  });

  it('says when the disk has less free than the minimum', async () => {
    const problem = await spaceProblem(dir, dir, { minFreeBytes: Number.MAX_SAFE_INTEGER });
    expect(problem).toMatch(/^No space left for workspaces: \d+ MiB free on their disk$/);
  });

  it('knows the errors of a full disk', () => {
    expect(isNoSpace(Object.assign(new Error('full'), { code: 'ENOSPC' }))).toBe(true);
    expect(isNoSpace(Object.assign(new Error('quota'), { code: 'EDQUOT' }))).toBe(true);
    expect(isNoSpace(Object.assign(new Error('gone'), { code: 'ENOENT' }))).toBe(false);
  });
});
