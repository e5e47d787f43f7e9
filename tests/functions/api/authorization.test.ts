import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { appClientFixtures } from '../auth/app-clients.ts';
import { fixtures, type TestUser, useApi } from './fixtures.ts';

const fx = useApi();
const { signUp, admin, api } = fixtures(fx);
const { seedClient, tokenFor } = appClientFixtures(fx);

const appTokens = new Map<string, Promise<string>>();
/** One client (and token) per permission, shared by the cases that need it. */
function appToken(permission: string): Promise<string> {
  let token = appTokens.get(permission);
  if (!token) {
    token = seedClient({ permissions: [permission] }).then(tokenFor);
    appTokens.set(permission, token);
  }
  return token;
}

type Doc = {
  paths: Record<string, Record<string, { security?: Array<Record<string, unknown>> }>>;
};
let doc: Doc | undefined;

/** Whether /openapi.json lets app clients call the route (`appClient` in its security). */
async function appsMayCall(c: Case): Promise<boolean> {
  doc ??= (await api('/openapi.json')).body as Doc;
  const op = doc.paths[c.path]?.[c.method.toLowerCase()];
  return (op?.security ?? []).some((s) => 'appClient' in s);
}

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

  it.each(CASES)('$method $path: app client with the permission → as documented', async (c) => {
    const res = await run(c, await signUp(), await appToken(c.permission ?? 'users:read'));
    if (await appsMayCall(c)) {
      expect([401, 403]).not.toContain(res.status);
      expect(res.status).toBeLessThan(500);
    } else {
      expect(res.status).toBe(403);
      expect(res.body.detail).toBe('This route is for users only');
    }
  });

  it.each(CASES)('$method $path: app client without it → 403', async (c) => {
    const res = await run(c, await signUp(), await appToken('projects:read_all'));
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('forbidden');
  });

  it('opens to app clients exactly the reads that say so', async () => {
    const open = [];
    for (const c of CASES) if (await appsMayCall(c)) open.push(`${c.method} ${c.path}`);
    expect(open.sort()).toEqual(['GET /api/audit-log', 'GET /api/users', 'GET /api/users/{id}']);
  });

  it.each(CASES)('$method $path: admin → allowed', async (c) => {
    const [boss, target] = [await admin(), await signUp()];
    const res = await run(c, target, boss.token);
    expect([401, 403]).not.toContain(res.status);
    expect(res.status).toBeLessThan(500);
  });
});
