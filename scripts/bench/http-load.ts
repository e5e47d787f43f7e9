import autocannon from 'autocannon';

// Runs in its own process (see load.ts), so generating load never competes with the stack's
// event loop. Reads its options as JSON from argv and prints autocannon's figures as JSON.
const opts = JSON.parse(process.argv[2] ?? '{}') as {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  seconds: number;
};

const result = await autocannon({
  url: opts.url,
  method: opts.method ?? 'GET',
  headers: opts.headers,
  body: opts.body,
  connections: opts.connections,
  duration: opts.seconds,
});
console.log(
  JSON.stringify({
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  }),
);
