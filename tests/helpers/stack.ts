import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { localEnvSchema } from '../../scripts/local/env.ts';
import { freePort } from '../../scripts/local/ports.ts';
import { type LocalStack, type StackOptions, startLocalStack } from '../../scripts/local/stack.ts';
import { parseEnv } from '../../shared/config.ts';
import { type TestDatabase, useTestDatabase } from './db.ts';

/** Variables read from the environment by the emulators rather than by the stack's schema. */
const passedThrough = (k: string) => k.startsWith('GOTRUE_') || k.startsWith('REALTIME_');

export interface StackHarness {
  readonly stack: LocalStack;
  readonly db: TestDatabase;
  readonly steps: string[];
  /** Mail sent to `to`, newest first, read over HTTP from the stack's mailbox. */
  mails(to: string): Promise<Array<{ ID: string; Subject: string; Link?: string; OTP?: string }>>;
}

/**
 * The whole local stack (`npm run dev`) on a free port over this file's own database, for
 * end-to-end tests with real HTTP. `env` overrides the local stack's variables; GoTrue
 * variables (GOTRUE_*) in it are passed to the Auth emulator, REALTIME_* ones to Realtime.
 * `opts.clock` is the clock Realtime decides by; `opts.worker` starts the worker process too.
 */
export function useLocalStack(
  env: Record<string, string> = {},
  opts: StackOptions = {},
): StackHarness {
  const db = useTestDatabase();
  const steps: string[] = [];
  let stack: LocalStack | undefined;
  let dataDir = '';
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'stack-'));
    for (const [k, v] of Object.entries(env)) {
      if (!passedThrough(k)) continue;
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    const parsed = parseEnv(localEnvSchema, {
      DATABASE_URL: db.url,
      GATEWAY_PORT: String(await freePort()),
      WORKER_PORT: String(await freePort()),
      LOCAL_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      ...Object.fromEntries(Object.entries(env).filter(([k]) => !passedThrough(k))),
    });
    stack = await startLocalStack(parsed, (step) => steps.push(step), opts);
  });
  afterAll(async () => {
    await stack?.stop();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const harness: StackHarness = {
    db,
    steps,
    get stack() {
      if (!stack) throw new Error('the stack runs only inside tests and hooks');
      return stack;
    },
    async mails(to) {
      const list = await fetch(
        `${harness.stack.gatewayUrl}/mailbox/api/v1/messages?to=${encodeURIComponent(to)}`,
      );
      const { messages } = (await list.json()) as { messages: Array<{ ID: string }> };
      return Promise.all(
        messages.map(async (m) =>
          (await fetch(`${harness.stack.gatewayUrl}/mailbox/api/v1/message/${m.ID}`)).json(),
        ),
      );
    },
  };
  return harness;
}
