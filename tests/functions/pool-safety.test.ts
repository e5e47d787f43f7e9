import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../shared/http/context.ts';
import { withService } from '../../shared/http/doors.ts';
import type { Services } from '../../shared/http/services.ts';
import { useFunctions } from '../helpers/functions.ts';
import { PASSWORD } from '../helpers/people.ts';
import { fixtures, type TestUser } from './api/fixtures.ts';

const POOL = 2;
// Sign-ups auto-confirmed and per-IP limits off: every request here comes from one address.
const fx = useFunctions(
  { GOTRUE_MAILER_AUTOCONFIRM: 'true', GOTRUE_RATE_LIMIT_SIGN_IN_SIGN_UPS: '0' },
  // Limits high but on: counting an attempt is one of the doors under test.
  { AUTH_RATE_LIMIT_PER_IP: 1000, AUTH_RATE_LIMIT_PER_ACCOUNT: 1000, DB_POOL_SIZE: POOL },
);
const { signUp, api } = fixtures(fx);

/**
 * Fires `POOL + 2` requests at once and waits for all of them. A request that opened a
 * second transaction while holding one would, with more requests than connections, hold
 * the pool while it waits for more: none would finish. The bound only tells a hang from
 * slowness; it is not a timing assertion.
 */
async function allFinish(make: (i: number) => Promise<{ status: number }>): Promise<number[]> {
  const hung = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 15_000).unref());
  const requests = Promise.all(Array.from({ length: POOL + 2 }, (_, i) => make(i)));
  const outcome = await Promise.race([requests, hung]);
  if (outcome === 'hung') throw new Error('requests hung: a route held two connections at once');
  return outcome.map((r) => r.status);
}

describe('routes that use two doors in turn never hold two connections at once', () => {
  let owner: TestUser;
  let others: TestUser[];
  let project: string;

  it('share by email, concurrently', async () => {
    owner = await signUp();
    others = await Promise.all(Array.from({ length: POOL + 2 }, () => signUp()));
    project = (await api('/projects', { token: owner.token, json: { name: 'Pool' } })).body.id;
    const statuses = await allFinish((i) =>
      api(`/projects/${project}/members`, {
        token: owner.token,
        json: { email: others[i]!.email, role: 'viewer' },
      }),
    );
    expect(statuses).toEqual(Array(POOL + 2).fill(201));
  });

  it('change and remove members, concurrently', async () => {
    const changed = await allFinish((i) =>
      api(`/projects/${project}/members/${others[i]!.id}`, {
        token: owner.token,
        method: 'PATCH',
        json: { role: 'editor' },
      }),
    );
    expect(changed).toEqual(Array(POOL + 2).fill(200));
    const removed = await allFinish((i) =>
      api(`/projects/${project}/members/${others[i]!.id}`, {
        token: owner.token,
        method: 'DELETE',
      }),
    );
    expect(removed).toEqual(Array(POOL + 2).fill(204));
  });

  it('edit profiles and end sessions, concurrently', async () => {
    const edited = await allFinish((i) =>
      api('/users/me', { token: others[i]!.token, method: 'PUT', json: { first_name: `N${i}` } }),
    );
    expect(edited).toEqual(Array(POOL + 2).fill(200));
    const ended = await allFinish((i) =>
      api(`/sessions/${others[i]!.sessionId}`, { token: others[i]!.token, method: 'DELETE' }),
    );
    expect(ended).toEqual(Array(POOL + 2).fill(204));
  });

  it('sign in, right and wrong, concurrently', async () => {
    const login = (email: string, password: string) =>
      fx.call('auth', '/login', { json: { email, password } });
    const right = await allFinish((i) => login(others[i]!.email, PASSWORD));
    expect(right).toEqual(Array(POOL + 2).fill(200));
    const wrong = await allFinish((i) => login(others[i]!.email, 'not-the-password'));
    expect(wrong).toEqual(Array(POOL + 2).fill(401));
  });
});

describe('a request that opens a transaction inside another', () => {
  it('fails at once instead of waiting for a second connection', async () => {
    const app = new Hono<AppEnv>();
    app.use(async (c, next) => {
      c.set('services', fx.services as Services);
      await next();
    });
    app.get('/nested', async (c) => {
      await withService(c, async () => withService(c, async (tx) => tx`select 1`));
      return c.text('unreachable');
    });
    app.onError((err, c) => c.text(err.message, 500));
    const res = await app.request('/nested');
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/already open for this request/);
  });
});
