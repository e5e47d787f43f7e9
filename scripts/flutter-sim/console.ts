import { writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** The first line of everything the simulated toolchain prints, so no one mistakes it for Flutter. */
export const NOTICE =
  '[flutter-sim] SIMULATED Flutter toolchain: no Flutter SDK runs here. Set FLUTTER_BIN to a real `flutter` to use one.';

/**
 * How long the simulated steps pause, as a factor of a real toolchain's typical timings:
 * `FLUTTER_SIM_DELAY_SCALE=0` for tests, `1` (the default) for realistic pauses.
 */
export function delayScale(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.FLUTTER_SIM_DELAY_SCALE;
  const value = raw === undefined || raw === '' ? 1 : Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : 1;
}

/** Waits `ms` of a real toolchain's time, scaled. */
export function pause(ms: number): Promise<void> {
  const scaled = ms * delayScale();
  return scaled > 0 ? sleep(scaled) : Promise.resolve();
}

// Written synchronously: output reaches a terminal in the order it was printed, and nothing
// is lost when the process exits right after.
export const out = (text: string) => writeSync(1, `${text}\n`);
export const err = (text: string) => writeSync(2, `${text}\n`);
export const outPartial = (text: string) => writeSync(1, text);

/** `12.3s` or `850ms`, as flutter prints step durations. */
export function formatDuration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms)}ms`;
}

/**
 * A step shown the way flutter's status line shows it: the label first, then, when the work
 * is done, its duration right-aligned on the same line.
 */
export async function step<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  outPartial(label);
  try {
    return await work();
  } finally {
    const took = formatDuration(performance.now() - started);
    out(`${' '.repeat(Math.max(1, 70 - label.length - took.length))}${took}`);
  }
}

/** Milliseconds since `started`, for `(ran in 1.2s)`. */
export const since = (started: number) => performance.now() - started;
export const now = () => performance.now();
