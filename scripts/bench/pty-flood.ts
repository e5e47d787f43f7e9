import { tmpdir } from 'node:os';
import { runPty } from '../../worker/toolchain/pty-runner.ts';

// `npm run bench:pty`: a toolchain that prints a flood of output (200 MiB by default,
// PTY_FLOOD_MB) runs under the PTY runner, with a consumer that, like the worker's
// publisher, is asynchronous and holds each chunk briefly. The resident memory of this
// process is sampled throughout; the growth over the baseline must stay under 64 MiB.
// A benchmark, not a test: it reports and exits non-zero over the limit, nothing else.

const MB = 1024 * 1024;
const FLOOD = Number(process.env.PTY_FLOOD_MB ?? 200) * MB;
const LIMIT = 64 * MB;

// The child writes lines like a verbose build, as fast as the terminal takes them.
const child = `
const line = 'Compiling lib/src/some/deeply/nested/widget_file.dart ... ok ' + 'x'.repeat(40) + '\\n';
const block = line.repeat(Math.ceil(65536 / line.length));
let left = ${FLOOD};
function pump() {
  while (left > 0) {
    const piece = left >= block.length ? block : block.slice(0, left);
    left -= piece.length;
    if (!process.stdout.write(piece)) return process.stdout.once('drain', pump);
  }
}
pump();
`;

global.gc?.();
const baseline = process.memoryUsage().rss;
let peak = baseline;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 10);

let chunks = 0;
let received = 0;
let largest = 0;
const started = performance.now();
const result = await runPty({
  command: process.execPath,
  args: ['-e', child],
  cwd: tmpdir(),
  timeoutMs: 10 * 60_000,
  onOutput: async (chunk) => {
    chunks++;
    received += chunk.bytes;
    largest = Math.max(largest, chunk.bytes);
    // A consumer that takes a moment per chunk, as a publisher writing to a database does.
    await new Promise<void>((done) => setImmediate(done));
  },
});
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);

const growth = peak - baseline;
const report = {
  output_mib: +(received / MB).toFixed(1),
  chunks,
  largest_chunk_bytes: largest,
  tail_bytes: Buffer.byteLength(result.tail),
  exit_code: result.exitCode,
  seconds: +seconds.toFixed(1),
  throughput_mib_s: +(received / MB / seconds).toFixed(1),
  rss_baseline_mib: +(baseline / MB).toFixed(1),
  rss_peak_mib: +(peak / MB).toFixed(1),
  rss_growth_mib: +(growth / MB).toFixed(1),
  limit_mib: LIMIT / MB,
};
console.log(JSON.stringify(report, null, 2));
if (result.exitCode !== 0 || received < FLOOD) {
  console.error('pty-flood: the flood did not arrive whole');
  process.exit(1);
}
if (growth > LIMIT) {
  console.error(
    `pty-flood: memory grew by ${report.rss_growth_mib} MiB, over the ${LIMIT / MB} MiB limit`,
  );
  process.exit(1);
}
