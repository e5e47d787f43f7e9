import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseEnv } from '../../shared/config.ts';
import { localEnvSchema } from '../local/env.ts';
import { freePort } from '../local/ports.ts';
import { startLocalStack } from '../local/stack.ts';
import { apiVersusSql } from './api-vs-sql.ts';
import { pipelineFigures } from './pipeline.ts';
import { type BenchRow, printTable, regressions, writeJson } from './report.ts';
import { sequentialCosts } from './sequential.ts';
import { whatsappWebhooks } from './whatsapp-webhooks.ts';

// `npm run bench`: every figure is a ratio to a baseline measured in the same run, so the
// numbers compare across noisy machines. Timings are never asserted in tests.
//   --out <file>      where to write the JSON (default .local/bench/latest.json)
//   --compare <file>  flag figures more than 20% worse than that earlier JSON
const { values: args } = parseArgs({
  options: { out: { type: 'string' }, compare: { type: 'string' } },
});

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
const rows: BenchRow[] = [];
try {
  console.log('Sequential request costs…');
  rows.push(...(await sequentialCosts(stack)));
  console.log('Throughput against raw SQL…');
  rows.push(...(await apiVersusSql(stack, dataDir)));
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
