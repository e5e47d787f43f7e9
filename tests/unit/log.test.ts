import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED, redact } from '../../shared/log.ts';

describe('redact', () => {
  it('replaces values under secret-named keys at any depth', () => {
    const out = redact({
      password: 'p',
      nested: {
        access_token: 't',
        apiKey: 'k',
        headers: { Authorization: 'Bearer x', cookie: 'c' },
      },
      list: [{ client_secret: 's', name: 'kept' }],
    });
    expect(out).toEqual({
      password: REDACTED,
      nested: {
        access_token: REDACTED,
        apiKey: REDACTED,
        headers: { Authorization: REDACTED, cookie: REDACTED },
      },
      list: [{ client_secret: REDACTED, name: 'kept' }],
    });
  });

  it('scrubs bearer credentials, JWTs and URL passwords inside free text', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
    const text = `auth failed: Bearer abc.def for ${jwt} at postgres://app:s3cret@db:5432/x`;
    const out = redact(text) as string;
    expect(out).not.toContain('abc.def');
    expect(out).not.toContain(jwt);
    expect(out).not.toContain('s3cret');
    expect(out).toContain('postgres://app:[REDACTED]@db:5432/x');
  });
});

describe('errors in logs', () => {
  it('keep the stack, SQLSTATE, constraint and cause chain, scrubbed, never the parameters', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
    const root = Object.assign(new Error(`connect failed for ${jwt}`), { code: 'ECONNRESET' });
    const err = Object.assign(new Error('duplicate key value', { cause: root }), {
      code: '23505',
      constraint_name: 'profiles_username_key',
      parameters: ['hunter2'],
    });
    const out = redact(err) as Record<string, unknown>;
    expect(out).toMatchObject({
      name: 'Error',
      message: 'duplicate key value',
      code: '23505',
      constraint_name: 'profiles_username_key',
      cause: { code: 'ECONNRESET', message: `connect failed for ${REDACTED}` },
    });
    expect(String(out.stack)).toMatch(/^Error: duplicate key value\n\s+at /);
    expect(JSON.stringify(out)).not.toContain('hunter2');
    expect(JSON.stringify(out)).not.toContain(jwt);
  });
});

describe('createLogger', () => {
  it('writes JSON lines with bindings, honours the level and redacts', () => {
    const lines: string[] = [];
    const log = createLogger({
      level: 'info',
      write: (l) => lines.push(l),
      bindings: { fn: 'api' },
    });
    log.debug('hidden');
    log.child({ request_id: 'r1' }).warn('login failed', { email: 'a@b.c', password: 'hunter2' });
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0] ?? '{}');
    expect(entry).toMatchObject({
      level: 'warn',
      msg: 'login failed',
      fn: 'api',
      request_id: 'r1',
      password: REDACTED,
    });
    expect(lines[0]).not.toContain('hunter2');
  });
});
