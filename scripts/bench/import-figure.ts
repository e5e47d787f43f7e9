import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BenchRow, row } from './report.ts';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('./csv-import.ts', import.meta.url));

/**
 * The heap a 50,000-row CSV import grows by, against its fixed bound (issue 14). It runs in a
 * process of its own, with `--expose-gc`, so nothing else in the bench moves its heap.
 */
export async function importFigure(): Promise<BenchRow[]> {
  const { stdout } = await run(process.execPath, ['--expose-gc', SCRIPT], {
    maxBuffer: 1 << 20,
  }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  const last = stdout.trim().split('\n').at(-1) ?? '';
  const figures = JSON.parse(last.startsWith('{') ? last : '{}') as {
    growthMib?: number;
    boundMib?: number;
    rowsPerSecond?: number;
  };
  if (figures.growthMib === undefined) throw new Error(`the import bench failed:\n${stdout}`);
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
