import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { FLUTTER_SIM } from '../helpers/flutter-sim.ts';

/**
 * What one toolchain command does: `fast` and `slow` run the simulated toolchain (slow with
 * `slowScale`, default 20, times a real one's pauses); `hang` never ends and prints nothing, ignoring hang-up and
 * TERM as a stuck process does; `fill` writes `FILL_MB` of build output into the workspace
 * first, failing as a real tool does when the disk refuses, else going on as `fast`.
 */
export type Behaviour = 'fast' | 'slow' | 'hang' | 'fill';
export type Command = 'pub' | 'analyze' | 'build' | 'run';

/** Most a `fill` writes, in MiB: enough to overflow the suite's small filesystems and quotas. */
export const FILL_MB = 64;

export interface FaultToolchain {
  /** The `flutter` to hand the worker (FLUTTER_BIN). */
  bin: string;
  /** Marks every process of this toolchain (FAULT_TOOLCHAIN in its environment). */
  tag: string;
  /** The worker variables that make it use this toolchain. */
  env: Record<string, string>;
  /** Sets what `command` does from now on (every command starts `fast`). */
  set(command: Command, behaviour: Behaviour): void;
  /** Live processes (zombies aside) this toolchain started, found in the process table. */
  processes(): number[];
}

/**
 * A `flutter` for fault scenarios: the simulated toolchain, with commands that can be made
 * slow, hung, or to fill the disk. Its processes carry a tag in their environment, so a test
 * finds every one of them, children included, by reading the process table.
 */
export function faultToolchain(opts: { slowScale?: number } = {}): FaultToolchain {
  const dir = mkdtempSync(join(tmpdir(), 'fault-flutter-'));
  const bin = join(dir, 'flutter');
  const tag = randomUUID();
  for (const c of ['pub', 'analyze', 'build', 'run']) writeFileSync(join(dir, c), 'fast');
  writeFileSync(
    bin,
    `#!/bin/sh
# Set here, so only the toolchain and what it starts carry it, never the worker.
FAULT_TOOLCHAIN=${tag}
export FAULT_TOOLCHAIN
mode=$(cat '${dir}/'"$1" 2>/dev/null || echo fast)
case "$mode" in
  hang)
    trap '' HUP TERM
    while :; do sleep 1; done ;;
  fill)
    echo "Writing build artefacts"
    mkdir -p build && dd if=/dev/zero of=build/fill.bin bs=1M count=${FILL_MB} 2>&1 || exit 1
    FLUTTER_SIM_DELAY_SCALE=0 ;;
  slow) FLUTTER_SIM_DELAY_SCALE=${opts.slowScale ?? 20} ;;
  *) FLUTTER_SIM_DELAY_SCALE=0 ;;
esac
export FLUTTER_SIM_DELAY_SCALE
exec '${FLUTTER_SIM}' "$@"
`,
  );
  chmodSync(bin, 0o755);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    bin,
    tag,
    env: { FLUTTER_BIN: bin },
    set: (command, behaviour) => writeFileSync(join(dir, command), behaviour),
    processes: () => tagged(`FAULT_TOOLCHAIN=${tag}`),
  };
}

/** Pids of live processes whose environment holds `entry`. */
function tagged(entry: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      if (state === 'Z' || state === 'X') continue;
      if (readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(entry)) {
        found.push(Number(name));
      }
    } catch {
      // Gone while we looked, or not ours to read.
    }
  }
  return found;
}
