import { type BenchRow, printTable, row } from '../bench/report.ts';
import { type MemorySample, slope } from './memory.ts';
import { EXPECTED, type SoakUser } from './mix.ts';

/** One second of the workload process's output. */
export interface Tick {
  t: number;
  ops: number;
  requests: number;
  in_flight?: number;
  skipped?: number;
  counts: Record<string, Record<string, number>>;
  done?: boolean;
  /** On the last line: the users with their current tokens. */
  users?: SoakUser[];
}

type Totals = Record<string, Record<string, number>>;

const unexpected = (op: string, status: string) => !(EXPECTED[op] ?? []).includes(Number(status));

/** Every operation's answers over the run, by status. */
export function totals(ticks: Tick[]): Totals {
  const all: Totals = {};
  for (const t of ticks) {
    for (const [op, byStatus] of Object.entries(t.counts)) {
      const into = all[op] ?? {};
      all[op] = into;
      for (const [s, n] of Object.entries(byStatus)) into[s] = (into[s] ?? 0) + n;
    }
  }
  return all;
}

const fmt = (n: number | undefined, d = 1) => (n === undefined ? '—' : n.toFixed(d));

/**
 * Memory over time, beside the load and the unexpected answers of each interval. `missed`
 * counts arrivals that found every user still waiting for an answer: the stack fell behind
 * the rate.
 */
export function printSamples(samples: MemorySample[], ticks: Tick[], every: number): void {
  console.log(
    `\n${'t (s)'.padStart(6)} ${'ops/s'.padStart(7)} ${'req/s'.padStart(7)} ${'missed'.padStart(7)} ${'errors'.padStart(7)}` +
      ` ${'stack RSS'.padStart(10)} ${'heap'.padStart(7)} ${'worker RSS'.padStart(11)}` +
      ` ${'heap'.padStart(7)} ${'PostgreSQL'.padStart(11)} ${'unshared'.padStart(9)}   (MiB)`,
  );
  let prev = 0;
  for (const s of samples) {
    const inWindow = ticks.filter((t) => t.t > prev && t.t <= s.t + 0.5 && !t.done);
    const span = Math.max(1, inWindow.length);
    const ops = inWindow.reduce((n, t) => n + t.ops, 0) / span;
    const reqs = inWindow.reduce((n, t) => n + t.requests, 0) / span;
    const missed = inWindow.reduce((n, t) => n + (t.skipped ?? 0), 0);
    let errors = 0;
    for (const t of inWindow) {
      for (const [op, byStatus] of Object.entries(t.counts)) {
        for (const [status, n] of Object.entries(byStatus)) {
          if (unexpected(op, status)) errors += n;
        }
      }
    }
    prev = s.t + 0.5;
    console.log(
      `${fmt(s.t, 0).padStart(6)} ${fmt(inWindow.length ? ops : undefined, 0).padStart(7)}` +
        ` ${fmt(inWindow.length ? reqs : undefined, 0).padStart(7)} ${String(missed).padStart(7)}` +
        ` ${String(errors).padStart(7)}` +
        ` ${fmt(s.stackRss).padStart(10)} ${fmt(s.stackHeap).padStart(7)}` +
        ` ${fmt(s.workerRss).padStart(11)} ${fmt(s.workerHeap).padStart(7)}` +
        ` ${fmt(s.postgres).padStart(11)} ${fmt(s.postgresOwn).padStart(9)}`,
    );
  }
  void every;
}

/** Answers by operation and status; returns how many were not what the operation expects. */
export function printErrors(all: Totals): number {
  console.log(`\n${'operation'.padEnd(26)} answers by status (* = unexpected)`);
  let errors = 0;
  for (const [op, byStatus] of Object.entries(all).sort()) {
    const parts = Object.entries(byStatus)
      .sort()
      .map(([s, n]) => {
        const bad = unexpected(op, s);
        if (bad) errors += n;
        return `${s}${bad ? '*' : ''}: ${n}`;
      });
    console.log(`${op.padEnd(26)} ${parts.join(', ')}`);
  }
  console.log(`${'unexpected answers'.padEnd(26)} ${errors}`);
  return errors;
}

/**
 * The lines judged. The worker's readings are taken without a collection first, so their
 * saw-tooth says nothing about what is retained: its lows over the last minute are judged.
 * PostgreSQL is judged without its shared buffers, which fill up as the tables grow.
 */
const SERIES: Array<[keyof MemorySample, string]> = [
  ['stackHeap', 'stack (functions) heap after GC'],
  ['stackRss', 'stack (functions) RSS'],
  ['workerHeapLow', 'worker heap, low of the last minute'],
  ['workerRssLow', 'worker RSS, low of the last minute'],
  ['postgresOwn', 'PostgreSQL without shared memory (PSS)'],
];

/**
 * Each memory line's slope over the second half of the run (least squares, MiB a minute),
 * flagged above `bound`. A line that grows through the whole soak is a leak; one that
 * settles after warming up is not, which is why the first half is left out.
 */
export function judge(
  samples: MemorySample[],
  bound: number,
): Array<{ row: BenchRow; flagged: boolean }> {
  const end = samples.at(-1)?.t ?? 0;
  const half = samples.filter((s) => s.t >= end / 2);
  const verdict = SERIES.flatMap(([key, name]) => {
    const points = half.filter((s) => typeof s[key] === 'number');
    if (points.length < 2) return [];
    const k = slope(
      points.map((s) => s.t / 60),
      points.map((s) => s[key] as number),
    );
    return [
      {
        row: row({
          name: `${name}, slope over the second half`,
          value: k,
          unit: 'MiB/min',
          better: 'lower',
          goal: `≤ ${bound} MiB/min`,
          extra: {
            first_mib: points[0]?.[key] as number,
            last_mib: points.at(-1)?.[key] as number,
          },
        }),
        flagged: k > bound,
      },
    ];
  });
  printTable(verdict.map((v) => v.row));
  for (const v of verdict)
    if (v.flagged) console.log(`FLAGGED: ${v.row.name} grows faster than the bound`);
  if (!verdict.some((v) => v.flagged))
    console.log(`\nEvery memory line is within ${bound} MiB/min.`);
  return verdict;
}
