import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BenchRow, regressions, row, writeJson } from '../../scripts/bench/report.ts';
import { slope, withLows } from '../../scripts/soak/memory.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bench-report-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const previous: BenchRow[] = [
  row({ name: 'api vs sql', value: 600, unit: 'req/s', baseline: 1000, better: 'higher' }),
  row({ name: 'latency', value: 10, unit: 'ms', baseline: 5, better: 'lower' }),
  row({ name: 'no baseline', value: 100, unit: 'ms', better: 'lower' }),
  row({ name: 'lost its baseline', value: 50, unit: 'req/s', baseline: 100, better: 'higher' }),
];

describe('npm run bench --compare', () => {
  it('flags ratios more than 20% worse, in the direction that is worse for each row', async () => {
    const file = join(dir, 'previous.json');
    await writeJson(file, previous);
    const now: BenchRow[] = [
      // 0.6 → 0.45: 25% lower where higher is better.
      row({ name: 'api vs sql', value: 900, unit: 'req/s', baseline: 2000, better: 'higher' }),
      // 2.0 → 2.2: 10% worse, within tolerance; the raw figures moved, the ratio barely.
      row({ name: 'latency', value: 22, unit: 'ms', baseline: 10, better: 'lower' }),
      // No baseline either time: the values are compared, 100 → 130 ms is 30% worse.
      row({ name: 'no baseline', value: 130, unit: 'ms', better: 'lower' }),
      // A ratio then, a bare value now: not comparable, never flagged.
      row({ name: 'lost its baseline', value: 1, unit: 'req/s', better: 'higher' }),
      row({ name: 'new row', value: 1, unit: 'ms', better: 'lower' }),
    ];
    const found = await regressions(file, now);
    expect(found).toEqual(['api vs sql: 0.600 → 0.450', 'no baseline: 100.000 → 130.000']);
  });

  it('never flags an improvement, however large', async () => {
    const file = join(dir, 'improved.json');
    await writeJson(file, previous);
    const now: BenchRow[] = [
      row({ name: 'api vs sql', value: 1000, unit: 'req/s', baseline: 1000, better: 'higher' }),
      row({ name: 'latency', value: 1, unit: 'ms', baseline: 5, better: 'lower' }),
    ];
    expect(await regressions(file, now)).toEqual([]);
  });

  it('writes what a later run compares against, with extra figures beside the rows', async () => {
    const file = join(dir, 'extra.json');
    await writeJson(file, previous, { samples: [{ t: 0 }] });
    const written = JSON.parse(await readFile(file, 'utf8'));
    expect(written.rows).toHaveLength(4);
    expect(written.rows[0].ratio).toBeCloseTo(0.6);
    expect(written.samples).toEqual([{ t: 0 }]);
  });
});

describe("the soak's memory line", () => {
  it('is the least-squares slope, in MiB a minute', () => {
    expect(slope([0, 1, 2, 3], [100, 102, 104, 106])).toBeCloseTo(2);
    // Noise around a flat line fits to nearly zero.
    expect(slope([0, 1, 2, 3, 4], [100, 103, 97, 103, 97])).toBeCloseTo(-0.6);
    expect(Number.isNaN(slope([1], [1]))).toBe(true);
  });

  it("judges the worker by its lows: a saw-tooth that falls back is flat, one that doesn't grows", () => {
    const times = [0, 20, 40, 60, 80, 100, 120];
    const series = (heaps: number[]) =>
      times.map((t, i) => ({ t, stackRss: 0, stackHeap: 0, workerHeap: heaps[i] }));
    // Up between full collections, back to 40 after each: nothing kept.
    const kept = withLows(series([40, 70, 100, 40, 70, 100, 40]), 40);
    expect(kept.map((s) => s.workerHeapLow)).toEqual([40, 40, 40, 40, 40, 40, 40]);
    // Each collection leaves 10 MiB more: the lows rise with it.
    const leak = withLows(series([40, 70, 100, 50, 80, 110, 60]), 40);
    expect(leak.map((s) => s.workerHeapLow)).toEqual([40, 40, 40, 50, 50, 50, 60]);
    const perMinute = (xs: typeof leak) =>
      slope(
        xs.map((s) => s.t / 60),
        xs.map((s) => s.workerHeapLow ?? NaN),
      );
    expect(perMinute(kept)).toBe(0);
    expect(perMinute(leak)).toBeGreaterThan(8);
  });
});
