import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseEnv } from '../../shared/config.ts';
import { localEnvSchema } from '../local/env.ts';
import { freePort } from '../local/ports.ts';
import { startLocalStack } from '../local/stack.ts';
import { apiVersusSql } from './api-vs-sql.ts';
import { importFigure } from './import-figure.ts';
import { pipelineFigures } from './pipeline.ts';
import { registrationTiming } from './registration.ts';
import { type BenchRow, printTable, regressions, writeJson } from './report.ts';
import { sequentialCosts } from './sequential.ts';
import { stackStartFigure } from './stack-start.ts';
import { whatsappWebhooks } from './whatsapp-webhooks.ts';

// `npm run bench`: every goal the issues state, each a ratio to a baseline measured in the same
// run, so the numbers compare across noisy machines. Timings are never asserted in tests.
//   issue 9   API vs raw SQL on three routes (GET /projects ≥ 0.5); single-request costs
//   issue 8   registering an existing address takes as long as a new one
//   issue 11  enqueue-to-start latency, no-op job throughput, output-to-subscriber latency,
//             the worker's memory under a 200 MiB output flood
//   issue 13  1,000 signed webhooks at concurrency 100: p50, p99 (goal ≤ 100 ms), throughput
//   issue 14  the heap a 50,000-row CSV import grows by, against its bound
//   issue 15  the local stack's cold start
//   --out <file>      where to write the JSON (default .local/bench/latest.json)
//   --compare <file>  flag figures more than 20% worse than that earlier JSON
const { values: args } = parseArgs({
  options: { out: { type: 'string' }, compare: { type: 'string' } },
});

// Limits that would refuse one machine's worth of registrations are lifted; the limiters still
// run on every request.
for (const k of [
  'AUTH_RATE_LIMIT_PER_IP',
  'AUTH_RATE_LIMIT_PER_ACCOUNT',
  'GOTRUE_RATE_LIMIT_EMAIL_SENT',
  'GOTRUE_RATE_LIMIT_OTP',
]) {
  process.env[k] ??= '100000000';
}

const rows: BenchRow[] = [];
// First, while nothing else runs: starting from nothing is what this measures.
console.log('Cold starts: PostgreSQL alone, then the whole local stack…');
rows.push(...(await stackStartFigure()));

const dataDir = await mkdtemp(join(tmpdir(), 'bench-'));
// PostgreSQL runs as its own user when we are root; it must be able to enter the folder.
await chmod(dataDir, 0o755);
const env = parseEnv(localEnvSchema, {
  GATEWAY_PORT: String(await freePort()),
  DB_PORT: String(await freePort()),
  LOCAL_DATA_DIR: dataDir,
  LOG_LEVEL: 'silent',
});
console.log('Starting a throwaway local stack…');
const stack = await startLocalStack(env);
try {
  console.log('Sequential request costs…');
  rows.push(...(await sequentialCosts(stack)));
  console.log('Throughput against raw SQL…');
  rows.push(...(await apiVersusSql(stack, dataDir)));
  console.log('Registration, existing address against a new one…');
  rows.push(...(await registrationTiming(stack)));
  console.log('The job pipeline…');
  rows.push(...(await pipelineFigures(stack, dataDir)));
  console.log('WhatsApp webhooks under load…');
  rows.push(...(await whatsappWebhooks(stack, env, dataDir)));
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
}

console.log('A 50,000-row CSV import, in a process of its own…');
rows.push(...(await importFigure()));
printTable(rows);
const out = args.out ?? '.local/bench/latest.json';
await writeJson(out, rows);
console.log(`\nFigures written to ${out}`);
if (args.compare) {
  const worse = await regressions(args.compare, rows);
  if (worse.length) {
    console.log(`\nRegressions of more than 20% against ${args.compare}:\n  ${worse.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    console.log(`\nNo regression of more than 20% against ${args.compare}.`);
  }
}
