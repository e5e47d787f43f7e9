import { readdir, readFile } from 'node:fs/promises';

const MB = 1024 * 1024;

/** One reading of every process's memory, in MiB; a part that could not be read is absent. */
export interface MemorySample {
  /** Seconds since the soak's load started. */
  t: number;
  /** The stack's process: the functions (and the emulators beside them), heap after a GC. */
  stackRss: number;
  stackHeap: number;
  workerRss?: number;
  workerHeap?: number;
  /**
   * The lowest of the worker's readings over the last minute. Its heap is read without a
   * collection, so it and the RSS that follows it saw-tooth between full collections; the
   * lows are what the worker keeps.
   */
  workerRssLow?: number;
  workerHeapLow?: number;
  /** PostgreSQL's server and every backend, by proportional set size (shared memory once). */
  postgres?: number;
  /**
   * The same without shared memory: what the processes hold themselves. The shared buffers
   * fill up to their configured size as the tables grow, which is not a leak.
   */
  postgresOwn?: number;
}

/** Sets each sample's worker lows: the least reading within `seconds` before it. */
export function withLows(samples: MemorySample[], seconds = 60): MemorySample[] {
  const low = (s: MemorySample, key: 'workerRss' | 'workerHeap') => {
    const values = samples
      .filter((p) => p.t <= s.t && p.t >= s.t - seconds)
      .map((p) => p[key])
      .filter((v): v is number => typeof v === 'number');
    return values.length ? Math.min(...values) : undefined;
  };
  return samples.map((s) => ({
    ...s,
    workerRssLow: low(s, 'workerRss'),
    workerHeapLow: low(s, 'workerHeap'),
  }));
}

const kib = (text: string, field: string) =>
  Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) / 1024;

async function statusOf(pid: number): Promise<string | undefined> {
  return readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
}

/**
 * The server's total: the postmaster and its children (backends, walwriter, checkpointer…),
 * each counted by PSS so the shared buffers they all map are counted once, not per backend;
 * and the same without shared memory.
 */
export async function postgresTotal(
  postmaster: number,
): Promise<{ pss: number; own?: number } | undefined> {
  const pids = (await readdir('/proc').catch(() => [])).filter((d) => /^\d+$/.test(d));
  let pss = 0;
  let own = 0;
  let found = false;
  for (const dir of pids) {
    const pid = Number(dir);
    const status = await statusOf(pid);
    if (!status) continue;
    const parent = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
    if (pid !== postmaster && parent !== postmaster) continue;
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => undefined);
    const total = rollup ? kib(rollup, 'Pss') : kib(status, 'VmRSS');
    if (!Number.isFinite(total)) continue;
    pss += total;
    own += total - (rollup ? kib(rollup, 'Pss_Shmem') : NaN);
    found = true;
  }
  return found ? { pss, own: Number.isFinite(own) ? own : undefined } : undefined;
}

/** The postmaster's pid: the parent of the backend that answers this query. */
export async function postmasterPid(backendPid: number): Promise<number | undefined> {
  const status = await statusOf(backendPid);
  const parent = Number(/^PPid:\s+(\d+)/m.exec(status ?? '')?.[1]);
  return parent > 1 ? parent : undefined;
}

/** The worker's resident memory and heap, from its `/metrics`. */
export async function workerMemory(
  opsUrl: string,
): Promise<{ rss?: number; heap?: number } | undefined> {
  const text = await fetch(`${opsUrl}/metrics`).then(
    (r) => (r.ok ? r.text() : undefined),
    () => undefined,
  );
  if (!text) return undefined;
  const gauge = (name: string) => {
    const v = new RegExp(`^${name} (\\d+(?:\\.\\d+)?)$`, 'm').exec(text)?.[1];
    return v === undefined ? undefined : Number(v) / MB;
  };
  return {
    rss: gauge('process_resident_memory_bytes'),
    heap: gauge('nodejs_heap_size_used_bytes'),
  };
}

/**
 * This process's memory. With `--expose-gc` (`npm run soak` passes it) a full collection runs
 * first, so the heap is what is retained, not what happens to await collection.
 */
export function ownMemory(): { rss: number; heap: number } {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss / MB, heap: m.heapUsed / MB };
}

/**
 * The least-squares slope of `values` against `minutes`: MiB a minute when values are MiB.
 * NaN with fewer than two points.
 */
export function slope(minutes: number[], values: number[]): number {
  const n = Math.min(minutes.length, values.length);
  if (n < 2) return NaN;
  const mx = minutes.slice(0, n).reduce((a, b) => a + b, 0) / n;
  const my = values.slice(0, n).reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((minutes[i] as number) - mx) * ((values[i] as number) - my);
    den += ((minutes[i] as number) - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}
