import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LocalEnv } from './env.ts';

const WORKER_MAIN = fileURLToPath(new URL('../../worker/main.ts', import.meta.url));

/** The worker of the local stack, as its own process (`npm run worker`, pointed at the stack). */
export interface LocalWorker {
  pid: number;
  /** `/health` and `/metrics` live here. */
  opsUrl: string;
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** SIGTERM, then SIGKILL if it is still there after `graceMs` (default 20 s). */
  stop(graceMs?: number): Promise<void>;
}

/**
 * What the worker gets from the stack: its database, the LLM emulator (unless LLM_BASE_URL
 * names a real model), the Graph API emulator (unless GRAPH_API_BASE_URL names Meta's),
 * Realtime and Storage, the functions' key for sealed channel tokens, the SMTP sink (unless
 * SMTP_URL is set), and a workspaces folder under the local data.
 * Everything else of this environment passes through (FLUTTER_BIN, WORKER_CONCURRENCY…).
 */
export function localWorkerEnv(opts: {
  env: LocalEnv;
  gatewayUrl: string;
  dbUrl: string;
  /** The stack's SMTP sink, unless SMTP_URL names a real server. */
  smtpUrl?: string;
  overrides?: Record<string, string>;
}): Record<string, string> {
  const { env, gatewayUrl, dbUrl } = opts;
  const base = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
  );
  return {
    ...base,
    DATABASE_URL: dbUrl,
    LLM_BASE_URL: process.env.LLM_BASE_URL || `${gatewayUrl}/llm/v1`,
    // The emulator takes any key; a real model needs LLM_API_KEY from the environment.
    LLM_API_KEY: process.env.LLM_API_KEY || 'local-llm-emulator',
    WORKSPACES_DIR: process.env.WORKSPACES_DIR || resolve(env.LOCAL_DATA_DIR, 'workspaces'),
    SUPABASE_URL: gatewayUrl,
    SUPABASE_SERVICE_ROLE_KEY: env.SERVICE_ROLE_KEY,
    GRAPH_API_BASE_URL: process.env.GRAPH_API_BASE_URL || `${gatewayUrl}/graph`,
    CRM_ENCRYPTION_KEY: env.CRM_ENCRYPTION_KEY,
    WORKER_PORT: String(env.WORKER_PORT),
    LOG_LEVEL: env.LOG_LEVEL,
    ...(opts.smtpUrl && !process.env.SMTP_URL ? { SMTP_URL: opts.smtpUrl } : {}),
    ...opts.overrides,
  };
}

/** A worker log line (JSON) as one readable line: `worker: message {fields}`. */
function readable(line: string): string {
  try {
    const {
      level,
      msg,
      time: _t,
      service: _s,
      ...fields
    } = JSON.parse(line) as Record<string, unknown>;
    const rest = Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
    return `worker ${level === 'info' ? '' : `${String(level).toUpperCase()} `}│ ${msg}${rest}`;
  } catch {
    return `worker │ ${line}`;
  }
}

/**
 * Starts the worker as a child process and waits until its `/health` answers 200. Its log
 * goes to this process's output, prefixed, unless LOG_LEVEL is `silent`.
 */
export async function startLocalWorker(workerEnv: Record<string, string>): Promise<LocalWorker> {
  const child: ChildProcess = spawn(process.execPath, [WORKER_MAIN], {
    env: workerEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const quiet = workerEnv.LOG_LEVEL === 'silent';
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      if (!quiet) console.log(readable(line));
    });
  }
  const exited = new Promise<number | NodeJS.Signals | null>((done) =>
    child.once('exit', (code, signal) => done(code ?? signal)),
  );
  const opsUrl = `http://${workerEnv.WORKER_HOST || '127.0.0.1'}:${workerEnv.WORKER_PORT}`;
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  for (let i = 0; ; i++) {
    if (gone) throw new Error(`The worker exited while starting:\n${tail.join('\n')}`);
    const ok = await fetch(`${opsUrl}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 600) {
      child.kill('SIGKILL');
      throw new Error(`The worker did not become healthy:\n${tail.join('\n')}`);
    }
    await new Promise((wake) => setTimeout(wake, 100));
  }
  return {
    pid: child.pid as number,
    opsUrl,
    exited,
    async stop(graceMs = 20_000) {
      if (gone) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
