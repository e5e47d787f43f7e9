import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fixtures, type TestUser, useApi } from './fixtures.ts';

const fx = useApi();
const { signUp, admin, api } = fixtures(fx);

interface Case {
  method: string;
  /** The documented path (`{id}` placeholders), matched against /openapi.json. */
  path: string;
  /** The permission the route checks before anything else, or null for any signed-in user. */
  permission: string | null;
  /** The concrete call; `target` is a throwaway user each caller may act on. */
  call(target: TestUser): { path: string; json?: unknown };
}

const CASES: Case[] = [
  { method: 'GET', path: '/api/users/me', permission: null, call: () => ({ path: '/users/me' }) },
  {
    method: 'PUT',
    path: '/api/users/me',
    permission: null,
    call: () => ({ path: '/users/me', json: {} }),
  },
  { method: 'GET', path: '/api/users', permission: 'users:read', call: () => ({ path: '/users' }) },
  {
    method: 'GET',
    path: '/api/users/{id}',
    permission: 'users:read',
    call: (t) => ({ path: `/users/${t.id}` }),
  },
  {
    method: 'PATCH',
    path: '/api/users/{id}',
    permission: 'users:write',
    call: (t) => ({ path: `/users/${t.id}`, json: { first_name: 'Probe' } }),
  },
  {
    method: 'DELETE',
    path: '/api/users/{id}',
    permission: 'users:delete',
    call: () => ({ path: `/users/${randomUUID()}` }),
  },
  { method: 'GET', path: '/api/sessions', permission: null, call: () => ({ path: '/sessions' }) },
  {
    method: 'DELETE',
    path: '/api/sessions',
    permission: null,
    call: () => ({ path: '/sessions' }),
  },
  {
    method: 'DELETE',
    path: '/api/sessions/{id}',
    permission: null,
    call: () => ({ path: `/sessions/${randomUUID()}` }),
  },
  {
    method: 'GET',
    path: '/api/audit-log',
    permission: 'audit:read',
    call: () => ({ path: '/audit-log' }),
  },
];

const run = (c: Case, target: TestUser, token?: string) => {
  const { path, json } = c.call(target);
  return api(path, { method: c.method, json, token });
};

describe('authorization of every api route', () => {
  it('covers every route the function documents', async () => {
    const doc = (await api('/openapi.json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .filter((r) => !/\/(health|openapi\.json|docs)$/.test(r))
      // Project and generation routes have their own matrix with exact statuses for seven
      // kinds of caller (projects/authorization-matrix.test.ts), which checks its own
      // coverage the same way.
      .filter((r) => !/ \/api\/(projects|generations)(\/|$)/.test(r));
    expect(documented.sort()).toEqual(CASES.map((c) => `${c.method} ${c.path}`).sort());
  });

  it.each(CASES)('$method $path: anonymous → 401', async (c) => {
    const target = await signUp();
    const res = await run(c, target);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('unauthorized');
  });

  it.each(CASES)('$method $path: plain user → 403 on admin routes, else allowed', async (c) => {
    const [user, target] = [await signUp(), await signUp()];
    const res = await run(c, target, user.token);
    if (c.permission) {
      expect(res.status).toBe(403);
      expect(res.body.detail).toContain(c.permission);
    } else {
      expect([401, 403]).not.toContain(res.status);
    }
  });

  it.each(CASES)('$method $path: admin → allowed', async (c) => {
    const [boss, target] = [await admin(), await signUp()];
    const res = await run(c, target, boss.token);
    expect([401, 403]).not.toContain(res.status);
    expect(res.status).toBeLessThan(500);
  });
});
