import { readFile } from 'node:fs/promises';

// Meta's side of the load test, in its own process (see whatsapp-webhooks.ts) so that making
// requests never competes with the stack's event loop for the latencies it measures. Sends
// every request in the JSON file named by argv[2]'s `file`, at most `concurrency` at once,
// and prints each one's latency (ms) and status, in the file's order, as one JSON line.

/** One request to send: a signed delivery (POST), or a GET when there is no body. */
export interface PlannedRequest {
  body?: string;
  signature?: string;
}

const job = JSON.parse(process.argv[2] ?? '{}') as {
  url: string;
  file: string;
  concurrency: number;
};
const planned = JSON.parse(await readFile(job.file, 'utf8')) as PlannedRequest[];

const latencies: number[] = new Array(planned.length);
const statuses: number[] = new Array(planned.length);
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: job.concurrency }, async () => {
    while (next < planned.length) {
      const i = next++;
      const { body, signature } = planned[i] as PlannedRequest;
      const t0 = performance.now();
      const res = await fetch(
        job.url,
        body === undefined
          ? {}
          : {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                ...(signature ? { 'x-hub-signature-256': signature } : {}),
              },
              body,
            },
      );
      await res.arrayBuffer();
      latencies[i] = performance.now() - t0;
      statuses[i] = res.status;
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ latencies, statuses, seconds }));
