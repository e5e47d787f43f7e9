import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** One measured goal: a figure and the baseline it is judged against, from the same run. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  /** value / baseline; the figure that compares across machines. */
  ratio?: number;
  /** Which way is better, for regression checks. */
  better: 'higher' | 'lower';
  goal?: string;
  extra?: Record<string, number>;
}

export function row(r: Omit<BenchRow, 'ratio'>): BenchRow {
  return r.baseline ? { ...r, ratio: r.value / r.baseline } : r;
}

export function printTable(rows: BenchRow[]): void {
  const fmt = (n: number | undefined, d = 1) => (n === undefined ? '—' : n.toFixed(d));
  console.log(
    `\n${'measurement'.padEnd(58)} ${'value'.padStart(10)} ${'baseline'.padStart(10)} ${'ratio'.padStart(7)}  goal`,
  );
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(58)} ${`${fmt(r.value)} ${r.unit}`.padStart(10)} ${fmt(r.baseline).padStart(10)} ${fmt(r.ratio, 2).padStart(7)}  ${r.goal ?? ''}`,
    );
  }
}

/** Writes the rows (and anything else worth keeping, e.g. a soak's samples) as JSON. */
export async function writeJson(
  file: string,
  rows: BenchRow[],
  extra: Record<string, unknown> = {},
): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const body = { at: new Date().toISOString(), rows, ...extra };
  await writeFile(file, `${JSON.stringify(body, null, 2)}\n`);
}

/**
 * Rows whose ratio (or value, when there is no baseline) moved the wrong way by more than
 * `tolerance` against a previous run's JSON.
 */
export async function regressions(
  previousFile: string,
  rows: BenchRow[],
  tolerance = 0.2,
): Promise<string[]> {
  const previous = JSON.parse(await readFile(previousFile, 'utf8')) as { rows: BenchRow[] };
  const before = new Map(previous.rows.map((r) => [r.name, r]));
  const found: string[] = [];
  for (const now of rows) {
    const then = before.get(now.name);
    if (!then) continue;
    // Like with like: ratios when both runs had a baseline, values when neither did.
    if ((then.ratio === undefined) !== (now.ratio === undefined)) continue;
    const a = then.ratio ?? then.value;
    const b = now.ratio ?? now.value;
    if (!Number.isFinite(a) || !Number.isFinite(b) || a === 0) continue;
    const change = (b - a) / Math.abs(a);
    const worse = now.better === 'higher' ? -change : change;
    if (worse > tolerance) found.push(`${now.name}: ${a.toFixed(3)} → ${b.toFixed(3)}`);
  }
  return found;
}
