import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BenchRow, row } from './report.ts';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('./csv-import.ts', import.meta.url));
/**
 * As `npm run bench:import` runs it: V8's old space capped at 48 MiB, so an import that held
 * its rows in memory would die rather than merely show a high peak.
 */
const IMPORT_NODE_FLAGS = ['--expose-gc', '--max-old-space-size=48'];

/**
 * The heap a 50,000-row CSV import grows by, against its fixed bound (issue 14). It runs in a
 * process of its own, so nothing else in the bench moves its heap.
 */
export async function importFigure(): Promise<BenchRow[]> {
  const { stdout } = await run(process.execPath, [...IMPORT_NODE_FLAGS, SCRIPT], {
    maxBuffer: 1 << 20,
  }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  const line = stdout.split('\n').find((l) => l.startsWith('{')) ?? '{}';
  const figures = JSON.parse(line) as {
    growthMib?: number;
    boundMib?: number;
    rowsPerSecond?: number;
  };
  if (figures.growthMib === undefined) {
    console.error(`the import bench failed:\n${stdout}`);
    process.exitCode = 1;
    return [];
  }
  return [
    row({
      name: 'CSV import of 50,000 rows: heap growth vs its bound',
      value: figures.growthMib,
      unit: 'MiB',
      baseline: figures.boundMib,
      better: 'lower',
      goal: '≤ 1.00',
      extra: { rows_per_s: Math.round(figures.rowsPerSecond ?? 0) },
    }),
  ];
}
