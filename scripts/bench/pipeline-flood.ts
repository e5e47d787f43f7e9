import { tmpdir } from 'node:os';
import { systemClock } from '../../shared/clock.ts';
import { createDb } from '../../shared/db/client.ts';
import {
  EventPublisher,
  nextTurn,
  OUTPUT_CHUNK_DELAY_MS,
} from '../../worker/generation/publisher.ts';
import { GenerationStore } from '../../worker/generation/store.ts';
import { startPty } from '../../worker/toolchain/pty-runner.ts';

// Run by pipeline.ts in a process of its own, so its memory is the worker's alone:
// `node pipeline-flood.ts <db url> <generation id> <worker id> <MiB>`. A toolchain prints
// MiB of output; the worker's own path carries it (PTY runner, chunker, event publisher,
// events appended to the database and broadcast). Prints its memory figures as JSON.
const [dbUrl, generationId, workerId, mib] = process.argv.slice(2);
if (!dbUrl || !generationId || !workerId || !mib)
  throw new Error('usage: <db> <id> <worker> <MiB>');
const MB = 1024 * 1024;
const flood = Number(mib) * MB;

const child = `
const line = 'Compiling lib/src/some/deeply/nested/widget_file.dart ... ok ' + 'x'.repeat(40) + '\\n';
const block = line.repeat(Math.ceil(65536 / line.length));
let left = ${flood};
function pump() {
  while (left > 0) {
    const piece = left >= block.length ? block : block.slice(0, left);
    left -= piece.length;
    if (!process.stdout.write(piece)) return process.stdout.once('drain', pump);
  }
}
pump();
`;

const db = createDb(dbUrl, { max: 2, name: 'bench-flood' });
const store = new GenerationStore(db, systemClock);
const publisher = new EventPublisher((events) => store.append(generationId, workerId, events));
// Warm up what the run will use (the pool, the pty module), then measure from here.
await store.append(generationId, workerId, []);
global.gc?.();
const baseline = process.memoryUsage().rss;
let peak = baseline;
let heap = 0;
let external = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peak = Math.max(peak, m.rss);
  heap = Math.max(heap, m.heapUsed);
  external = Math.max(external, m.external);
}, 10);
const started = performance.now();
const run = startPty({
  command: process.execPath,
  args: ['-e', child],
  cwd: tmpdir(),
  timeoutMs: 10 * 60_000,
  chunkMaxDelayMs: OUTPUT_CHUNK_DELAY_MS,
  onOutput: (chunk) => {
    publisher.output('build', chunk.text, chunk.bytes);
    return nextTurn();
  },
});
const result = await run.done;
await publisher.settle();
publisher.close();
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
const [events] = await db<{ n: number }[]>`
  select count(*)::int as n from public.generation_events where generation_id = ${generationId}`;
await db.end();
console.log(
  JSON.stringify({
    output_mib: publisher.outputBytes / MB,
    exit_code: result.exitCode,
    seconds: (performance.now() - started) / 1000,
    rss_baseline_mib: baseline / MB,
    rss_peak_mib: peak / MB,
    rss_growth_mib: (peak - baseline) / MB,
    heap_peak_mib: heap / MB,
    external_peak_mib: external / MB,
    events: events?.n ?? 0,
  }),
);
