import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/config.ts';
import { workerConfigFromEnv } from '../../worker/config.ts';
import { WorkerMetrics } from '../../worker/runtime/metrics.ts';
import { toolchainEnv } from '../../worker/runtime/tool-env.ts';
import { runningMembers } from '../../worker/toolchain/process-group.ts';
import { killRecordedGroup, processStart } from '../../worker/toolchain/process-identity.ts';

const BASE = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db', LLM_BASE_URL: 'http://llm/v1' };

describe('the worker configuration', () => {
  it('fills in defaults', () => {
    const config = workerConfigFromEnv(BASE);
    expect(config).toMatchObject({
      WORKER_CONCURRENCY: 2,
      FIX_ROUNDS: 2,
      DISCONNECT_GRACE_S: 30,
      LEASE_S: 30,
      WORKER_PORT: 9464,
      LLM_MODEL: 'flutter-studio-emulator',
    });
  });

  it('names every bad or missing variable at once', () => {
    let message = '';
    try {
      workerConfigFromEnv({ WORKER_CONCURRENCY: 'many', FIX_ROUNDS: '-1', LLM_BASE_URL: 'x' });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    for (const name of ['WORKER_CONCURRENCY', 'FIX_ROUNDS', 'LLM_BASE_URL', 'DATABASE_URL']) {
      expect(message).toContain(name);
    }
  });

  it('takes SUPABASE_DB_URL when DATABASE_URL is not set', () => {
    const { DATABASE_URL: _, ...rest } = BASE;
    const config = workerConfigFromEnv({ ...rest, SUPABASE_DB_URL: BASE.DATABASE_URL });
    expect(config.SUPABASE_DB_URL).toBe(BASE.DATABASE_URL);
  });
});

describe("the toolchain's environment", () => {
  it('keeps what a toolchain needs and none of the worker’s secrets', () => {
    const env = toolchainEnv({
      PATH: '/usr/bin',
      HOME: '/home/w',
      FLUTTER_ROOT: '/opt/flutter',
      PUB_CACHE: '/cache',
      FLUTTER_SIM_DELAY_SCALE: '0',
      DATABASE_URL: 'postgres://postgres:secret@db/postgres',
      SUPABASE_DB_URL: 'postgres://x',
      SUPABASE_SERVICE_ROLE_KEY: 'eyJ.service.role',
      LLM_API_KEY: 'sk-secret',
      AWS_SECRET_ACCESS_KEY: 'aws',
    });
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/w',
      FLUTTER_ROOT: '/opt/flutter',
      PUB_CACHE: '/cache',
      FLUTTER_SIM_DELAY_SCALE: '0',
    });
  });
});

describe('the metrics', () => {
  it('render in the Prometheus text format', () => {
    const m = new WorkerMetrics();
    m.jobsStarted.inc({ queue: 'generation' });
    m.queueDepth.set({ queue: 'generation' }, 3);
    m.duration.observe({ queue: 'generation', outcome: 'completed' }, 2);
    const text = m.render();
    expect(text).toContain('# TYPE worker_jobs_started_total counter');
    expect(text).toContain('worker_jobs_started_total{queue="generation"} 1');
    expect(text).toContain('worker_queue_depth{queue="generation"} 3');
    expect(text).toContain(
      'worker_job_duration_seconds_bucket{outcome="completed",queue="generation",le="1"} 0',
    );
    expect(text).toContain(
      'worker_job_duration_seconds_bucket{outcome="completed",queue="generation",le="5"} 1',
    );
    expect(text).toContain(
      'worker_job_duration_seconds_bucket{outcome="completed",queue="generation",le="+Inf"} 1',
    );
    expect(text).toContain(
      'worker_job_duration_seconds_sum{outcome="completed",queue="generation"} 2',
    );
  });
});

describe('a recorded process group', () => {
  it('is killed when its leader is the one recorded, and left alone when its id was reused', async () => {
    const child = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
    const pgid = child.pid as number;
    const start = processStart(pgid);
    expect(start).not.toBeNull();
    expect(await killRecordedGroup({ pgid, start: (start as number) + 1 })).toBe('reused');
    expect(runningMembers(pgid)).toEqual([pgid]);
    expect(await killRecordedGroup({ pgid, start })).toBe('killed');
    expect(runningMembers(pgid)).toEqual([]);
    expect(await killRecordedGroup({ pgid, start })).toBe('gone');
  });
});
