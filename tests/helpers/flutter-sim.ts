import { spawn } from 'node:child_process';
import { closeSync, cpSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export const FLUTTER_SIM = new URL('../../scripts/flutter-sim/flutter', import.meta.url).pathname;
export const TEMPLATE = new URL('../../worker/template/', import.meta.url).pathname;

/** The simulated toolchain with no pauses: tests wait for nothing but the work. */
export const FAST = { FLUTTER_SIM_DELAY_SCALE: '0' };

/** A fresh copy of the template app in a temporary folder, removed after the file's tests. */
export function templateCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'flutter-sim-'));
  cpSync(TEMPLATE, dir, { recursive: true });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Runs `flutter <args>` (the simulated one) in `cwd`. stdout and stderr go to one file, as
 * they reach a terminal, so `output` keeps their order; with `stdoutOnly`, stderr is dropped.
 */
export async function flutter(
  cwd: string,
  args: string[],
  opts: { stdoutOnly?: boolean } = {},
): Promise<{ code: number | null; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'flutter-sim-out-'));
  const file = join(dir, 'output');
  const fd = openSync(file, 'w');
  try {
    const child = spawn(FLUTTER_SIM, args, {
      cwd,
      env: { ...process.env, ...FAST },
      stdio: ['ignore', fd, opts.stdoutOnly ? 'ignore' : fd],
    });
    const code = await new Promise<number | null>((done) => child.on('close', done));
    return { code, output: readFileSync(file, 'utf8') };
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}
