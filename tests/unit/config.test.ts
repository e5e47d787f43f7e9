import { describe, expect, it } from 'vitest';
import { ConfigError, functionEnvSchema, parseEnv } from '../../shared/config.ts';
import { supportsPreparedStatements } from '../../shared/db/client.ts';

const valid = {
  SUPABASE_URL: 'https://abc.supabase.co',
  SUPABASE_ANON_KEY: 'anon-key-0123456789abcdef',
  SUPABASE_SERVICE_ROLE_KEY: 'service-key-0123456789abcdef',
  SUPABASE_DB_URL: 'postgresql://postgres:pw@db.abc.supabase.co:5432/postgres',
  CURSOR_SECRET: 'cursor-secret-0123456789abcdef0123456789',
  TOKEN_KEYS_SECRET: 'token-keys-secret-0123456789abcdef012345',
};

describe('parseEnv', () => {
  it('parses a complete environment and fills defaults', () => {
    const config = parseEnv(functionEnvSchema, {
      ...valid,
      CORS_ORIGINS: 'https://a.dev, https://b.dev',
    });
    expect(config).toEqual({
      ...valid,
      CORS_ORIGINS: ['https://a.dev', 'https://b.dev'],
      BODY_LIMIT_BYTES: 1024 * 1024,
      LOG_LEVEL: 'info',
      DB_POOL_SIZE: 5,
      ADMIN_MFA_REQUIRED: true,
      SENTRY_ENVIRONMENT: 'production',
      AUTH_RATE_LIMIT_WINDOW_SECONDS: 300,
      AUTH_RATE_LIMIT_PER_IP: 30,
      AUTH_RATE_LIMIT_PER_ACCOUNT: 10,
      LOCKOUT_THRESHOLD: 5,
      LOCKOUT_BASE_SECONDS: 30,
      LOCKOUT_MAX_SECONDS: 3600,
      WHATSAPP_UNSIGNED_LIMIT_PER_MINUTE: 30,
    });
  });

  it('names every missing and malformed variable in one message', () => {
    const run = () =>
      parseEnv(functionEnvSchema, {
        SUPABASE_URL: 'not a url',
        SUPABASE_DB_URL: 'mysql://x',
        LOG_LEVEL: 'loud',
      });
    expect(run).toThrow(ConfigError);
    const message = (() => {
      try {
        run();
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(message).toContain('SUPABASE_URL: must be an http(s) URL');
    expect(message).toContain('SUPABASE_DB_URL: must be a postgres:// connection URL');
    expect(message).toContain('SUPABASE_ANON_KEY: is required but not set');
    expect(message).toContain('SUPABASE_SERVICE_ROLE_KEY: is required but not set');
    expect(message).toContain('LOG_LEVEL');
    expect(message).toContain('TOKEN_KEYS_SECRET: is required but not set');
  });

  it('treats an empty value as unset', () => {
    expect(parseEnv(functionEnvSchema, { ...valid, LOG_LEVEL: '' }).LOG_LEVEL).toBe('info');
    expect(() => parseEnv(functionEnvSchema, { ...valid, SUPABASE_ANON_KEY: '' })).toThrow(
      /SUPABASE_ANON_KEY: is required/,
    );
  });
});

describe('prepared statements', () => {
  it('are used unless the URL is a transaction-mode pooler, or the config says otherwise', () => {
    expect(supportsPreparedStatements('postgres://u:p@db.example.supabase.co:5432/postgres')).toBe(
      true,
    );
    expect(supportsPreparedStatements('postgres://u:p@localhost/postgres')).toBe(true);
    expect(
      supportsPreparedStatements('postgres://u:p@aws-0-eu.pooler.supabase.com:6543/postgres'),
    ).toBe(false);
    const base = { ...valid };
    expect(parseEnv(functionEnvSchema, base).DB_PREPARE).toBeUndefined();
    expect(parseEnv(functionEnvSchema, { ...base, DB_PREPARE: 'false' }).DB_PREPARE).toBe(false);
    expect(parseEnv(functionEnvSchema, { ...base, DB_PREPARE: 'true' }).DB_PREPARE).toBe(true);
    expect(() => parseEnv(functionEnvSchema, { ...base, DB_PREPARE: 'yes' })).toThrow(ConfigError);
  });
});
