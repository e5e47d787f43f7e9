import { Mix, type WorkloadSpec } from './mix.ts';

// Runs in its own process (as bench/load.ts does: generating load never competes with the
// stack's event loop, and the stack's memory is its own). Reads its spec as JSON from stdin;
// prints one JSON line a second: what finished in that second, by operation and status; and
// a last line with `done: true`.
let input = '';
for await (const chunk of process.stdin) input += chunk;
const spec = JSON.parse(input || '{}') as WorkloadSpec;
const mix = new Mix(spec);
type Counts = Record<string, Record<string, number>>;
let window: Counts = {};
let ops = 0;
let requests = 0;
let inFlight = 0;
let skipped = 0;

/** Runs one operation; false when every user was busy and none ran. */
const record = async (): Promise<boolean> => {
  inFlight++;
  try {
    const outcome = await mix.runOne();
    if (!outcome) {
      skipped++;
      return false;
    }
    ops++;
    const byStatus = window[outcome.op] ?? {};
    window[outcome.op] = byStatus;
    for (const s of outcome.statuses) {
      requests++;
      byStatus[s] = (byStatus[s] ?? 0) + 1;
    }
    return true;
  } finally {
    inFlight--;
  }
};

const started = performance.now();
const ends = started + spec.seconds * 1000;
const ticker = setInterval(() => {
  console.log(
    JSON.stringify({
      t: (performance.now() - started) / 1000,
      ops,
      requests,
      in_flight: inFlight,
      skipped,
      counts: window,
    }),
  );
  window = {};
  ops = 0;
  requests = 0;
  skipped = 0;
}, 1000);

if (spec.mode === 'closed') {
  // `concurrency` loops, each starting its next operation when the last one ends. A loop
  // that found every user busy waits a moment: retrying at once would never leave the
  // microtask queue, and starve the answers it waits for.
  await Promise.all(
    Array.from({ length: spec.concurrency ?? 1 }, async () => {
      while (performance.now() < ends) {
        if (!(await record())) await new Promise((r) => setTimeout(r, 1));
      }
    }),
  );
} else {
  // Arrivals at a steady rate whatever the answers' speed (an open loop, as real traffic is),
  // in ticks of 10 ms. A user still busy with the last operation lets the arrival go
  // (`skipped`), which the report shows; nothing queues up inside this process.
  const rate = spec.rate ?? 1;
  let due = 0;
  const pending = new Set<Promise<void>>();
  while (performance.now() < ends) {
    const elapsed = (performance.now() - started) / 1000;
    while (due < elapsed * rate) {
      due++;
      const p = record().then(() => {});
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await Promise.all(pending);
}
clearInterval(ticker);
// The users as they are now: refresh tokens were rotated, and the next run must use the new
// ones (GoTrue takes a reused refresh token for a stolen one and ends the session).
console.log(
  JSON.stringify({
    t: (performance.now() - started) / 1000,
    ops,
    requests,
    counts: window,
    done: true,
    users: spec.users,
  }),
);
