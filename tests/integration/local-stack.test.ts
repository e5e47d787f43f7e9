import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localEnvSchema } from '../../scripts/local/env.ts';
import { freePort } from '../../scripts/local/ports.ts';
import { type LocalStack, startLocalStack } from '../../scripts/local/stack.ts';
import { parseEnv } from '../../shared/config.ts';
import { useTestDatabase } from '../helpers/db.ts';

const db = useTestDatabase();

describe('the local stack', () => {
  let stack: LocalStack;
  const steps: string[] = [];

  beforeAll(async () => {
    const env = parseEnv(localEnvSchema, {
      DATABASE_URL: db.url,
      GATEWAY_PORT: String(await freePort()),
      LOG_LEVEL: 'silent',
    });
    stack = await startLocalStack(env, (step) => steps.push(step));
  });
  afterAll(() => stack?.stop());

  it('reports each step as it starts', () => {
    expect(steps).toEqual(['database', 'migrations', 'gateway']);
  });

  it('serves every function under /functions/v1/<name>', async () => {
    for (const name of stack.functions) {
      const res = await fetch(`${stack.gatewayUrl}/functions/v1/${name}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ok', function: name });
    }
  });

  it('forwards request bodies and answers malformed JSON with problem+json', async () => {
    const res = await fetch(`${stack.gatewayUrl}/functions/v1/api/anything`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      code: 'malformed_json',
      request_id: expect.any(String),
    });
  });

  it('answers an unknown function as Supabase does', async () => {
    const res = await fetch(`${stack.gatewayUrl}/functions/v1/missing/health`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      code: 'NOT_FOUND',
      message: 'Requested function was not found',
    });
  });
});

describe('npm run dev with a bad environment', () => {
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['scripts/dev.ts'], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });

  it('fails at once, naming every malformed variable', () => {
    const out = run({ DATABASE_URL: 'mysql://root@localhost/app', GATEWAY_PORT: 'eighty' });
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('DATABASE_URL: must be a postgres:// connection URL');
    expect(out.stderr).toContain('GATEWAY_PORT');
    expect(out.stdout).not.toContain('Ready');
  });

  it('fails at once when a required value is too weak', () => {
    const out = run({ JWT_SECRET: 'short' });
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('JWT_SECRET: must be at least 32 characters');
  });
});

describe('npm run db:migrate', () => {
  const run = (env: Record<string, string | undefined>) =>
    spawnSync(process.execPath, ['scripts/migrate.ts'], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });

  it('fails at once without DATABASE_URL, naming it', () => {
    const out = run({ DATABASE_URL: undefined });
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('DATABASE_URL: is required but not set');
  });

  it('finds an already migrated database up to date, without printing its password', () => {
    const out = run({ DATABASE_URL: db.url });
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('up to date');
    expect(out.stdout).not.toContain(':postgres@');
  });
});
