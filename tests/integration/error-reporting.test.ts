import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.ts';
import { server } from '../helpers/msw.ts';

const DSN = 'https://public0123@errors.example.com/42';

/** Envelopes that reach Sentry's endpoint for DSN, parsed. */
function sentry() {
  const events: Array<Record<string, unknown>> = [];
  server.use(
    http.post('https://errors.example.com/api/42/envelope/', async ({ request }) => {
      expect(request.headers.get('x-sentry-auth')).toContain('sentry_key=public0123');
      const [, , event] = (await request.text()).split('\n');
      events.push(JSON.parse(event ?? '{}'));
      return HttpResponse.json({ id: 'x' });
    }),
  );
  return events;
}

function appThatFails(config: Parameters<typeof buildTestApp>[1]) {
  const t = buildTestApp('api', config);
  t.app.get('/boom', () => {
    throw new Error('query failed at postgres://app:s3cret@db.internal:5432/x', {
      cause: new Error('connection reset'),
    });
  });
  t.app.get('/busy', () => {
    throw Object.assign(new Error('too many clients'), { code: '53300' });
  });
  return t;
}

describe('error reporting', () => {
  it('reports a 500 to Sentry with its request id, scrubbed, when SENTRY_DSN is set', async () => {
    const events = sentry();
    const t = appThatFails({ SENTRY_DSN: DSN, SENTRY_ENVIRONMENT: 'staging' });
    const res = await t.app.request('/api/boom');
    expect(res.status).toBe(500);
    // A database that is busy is a 503 to the client and a log line, not an error report.
    expect((await t.app.request('/api/busy')).status).toBe(503);
    await t.services.errors.flush();
    expect(events).toHaveLength(1);
    const event = events[0] as {
      tags: Record<string, string>;
      environment: string;
      exception: { values: Array<{ type: string; value: string }> };
    };
    expect(event.tags).toEqual({
      request_id: res.headers.get('x-request-id'),
      function: 'api',
      code: 'internal',
    });
    expect(event.environment).toBe('staging');
    expect(event.exception.values.map((v) => v.value)).toEqual([
      'connection reset',
      'query failed at postgres://app:[REDACTED]@db.internal:5432/x',
    ]);
    expect(JSON.stringify(event)).not.toContain('s3cret');
  });

  it('sends nothing anywhere without SENTRY_DSN', async () => {
    const events = sentry();
    const t = appThatFails({});
    expect((await t.app.request('/api/boom')).status).toBe(500);
    await t.services.errors.flush();
    expect(events).toEqual([]);
  });
});
