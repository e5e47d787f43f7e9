import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../helpers/clock.ts';
import { useFunctions } from '../../helpers/functions.ts';
import { createAuthUser } from '../../integration/identity/fixtures.ts';
import { SERVICE_TOKEN } from '../api/projects/helpers.ts';
import { appClientFixtures } from '../auth/app-clients.ts';
import { adminFixtures } from './fixtures.ts';

const clock = new ManualClock();
const fx = useFunctions(
  { GOTRUE_MAILER_AUTOCONFIRM: 'true', GOTRUE_RATE_LIMIT_SIGN_IN_SIGN_UPS: '0' },
  { AUTH_RATE_LIMIT_PER_IP: 0 },
  { clock },
);
const { signUp, admin, adminAal2, adminApi } = adminFixtures(fx, clock);
const { seedClient, tokenFor } = appClientFixtures(fx);

const CALLERS = [
  'anonymous',
  'service',
  'user',
  'admin_aal1',
  'admin_aal2',
  'app_with',
  'app_without',
] as const;
type Caller = (typeof CALLERS)[number];

/** What each cell acts on: made fresh in SQL, so no cell sees another's writes. */
interface World {
  roleId: string;
  permissionId: string;
  clientId: string;
  userId: string;
  /** A key that stopped signing two days ago: retirable. */
  kid: string;
}

/** read: users and app clients; manage: users with rbac:manage; destroy: also aal2. */
type Kind = 'read' | 'manage' | 'destroy';

interface Row {
  method: string;
  path: string;
  kind: Kind;
  permission: string;
  ok: number;
  call(w: World): { path: string; json?: unknown };
}

const letters = () =>
  randomBytes(6)
    .toString('hex')
    .replace(/[0-9]/g, (d) => 'ghijklmnop'[Number(d)] as string);

const ROWS: Row[] = [
  {
    method: 'GET',
    path: '/roles',
    kind: 'read',
    permission: 'roles:read',
    ok: 200,
    call: () => ({ path: '/roles' }),
  },
  {
    method: 'POST',
    path: '/roles',
    kind: 'manage',
    permission: 'rbac:manage',
    ok: 201,
    call: () => ({ path: '/roles', json: { name: `m_${letters()}` } }),
  },
  {
    method: 'GET',
    path: '/roles/{id}',
    kind: 'read',
    permission: 'roles:read',
    ok: 200,
    call: (w) => ({ path: `/roles/${w.roleId}` }),
  },
  {
    method: 'PATCH',
    path: '/roles/{id}',
    kind: 'manage',
    permission: 'rbac:manage',
    ok: 200,
    call: (w) => ({ path: `/roles/${w.roleId}`, json: { description: 'Changed' } }),
  },
  {
    method: 'DELETE',
    path: '/roles/{id}',
    kind: 'destroy',
    permission: 'rbac:manage',
    ok: 204,
    call: (w) => ({ path: `/roles/${w.roleId}` }),
  },
  {
    method: 'GET',
    path: '/roles/{id}/permissions',
    kind: 'read',
    permission: 'roles:read',
    ok: 200,
    call: (w) => ({ path: `/roles/${w.roleId}/permissions` }),
  },
  {
    method: 'PUT',
    path: '/roles/{id}/permissions/{permissionId}',
    kind: 'manage',
    permission: 'rbac:manage',
    ok: 204,
    call: (w) => ({ path: `/roles/${w.roleId}/permissions/${w.permissionId}` }),
  },
  {
    method: 'DELETE',
    path: '/roles/{id}/permissions/{permissionId}',
    kind: 'destroy',
    permission: 'rbac:manage',
    ok: 204,
    call: (w) => ({ path: `/roles/${w.roleId}/permissions/${w.permissionId}` }),
  },
  {
    method: 'GET',
    path: '/permissions',
    kind: 'read',
    permission: 'permissions:read',
    ok: 200,
    call: () => ({ path: '/permissions' }),
  },
  {
    method: 'POST',
    path: '/permissions',
    kind: 'manage',
    permission: 'rbac:manage',
    ok: 201,
    call: () => ({ path: '/permissions', json: { name: `m_${letters()}:read` } }),
  },
  {
    method: 'GET',
    path: '/permissions/{id}',
    kind: 'read',
    permission: 'permissions:read',
    ok: 200,
    call: (w) => ({ path: `/permissions/${w.permissionId}` }),
  },
  {
    method: 'PATCH',
    path: '/permissions/{id}',
    kind: 'manage',
    permission: 'rbac:manage',
    ok: 200,
    call: (w) => ({ path: `/permissions/${w.permissionId}`, json: { description: 'Changed' } }),
  },
  {
    method: 'DELETE',
    path: '/permissions/{id}',
    kind: 'destroy',
    permission: 'rbac:manage',
    ok: 204,
    call: (w) => ({ path: `/permissions/${w.permissionId}` }),
  },
  {
    method: 'GET',
    path: '/users/{userId}/roles',
    kind: 'read',
    permission: 'roles:read',
    ok: 200,
    call: (w) => ({ path: `/users/${w.userId}/roles` }),
  },
  {
    method: 'PUT',
    path: '/users/{userId}/roles/{roleId}',
    kind: 'manage',
    permission: 'rbac:manage',
    ok: 204,
    call: (w) => ({ path: `/users/${w.userId}/roles/${w.roleId}` }),
  },
  {
    method: 'DELETE',
    path: '/users/{userId}/roles/{roleId}',
    kind: 'destroy',
    permission: 'rbac:manage',
    ok: 204,
    call: (w) => ({ path: `/users/${w.userId}/roles/${w.roleId}` }),
  },
  {
    method: 'GET',
    path: '/app-clients',
    kind: 'read',
    permission: 'app_clients:read',
    ok: 200,
    call: () => ({ path: '/app-clients' }),
  },
  {
    method: 'POST',
    path: '/app-clients',
    kind: 'manage',
    permission: 'rbac:manage',
    ok: 201,
    call: () => ({ path: '/app-clients', json: { name: `m-${letters()}` } }),
  },
  {
    method: 'GET',
    path: '/app-clients/{id}',
    kind: 'read',
    permission: 'app_clients:read',
    ok: 200,
    call: (w) => ({ path: `/app-clients/${w.clientId}` }),
  },
  {
    method: 'PATCH',
    path: '/app-clients/{id}',
    kind: 'manage',
    permission: 'rbac:manage',
    ok: 200,
    call: (w) => ({ path: `/app-clients/${w.clientId}`, json: { description: 'Changed' } }),
  },
  {
    method: 'DELETE',
    path: '/app-clients/{id}',
    kind: 'destroy',
    permission: 'rbac:manage',
    ok: 204,
    call: (w) => ({ path: `/app-clients/${w.clientId}` }),
  },
  {
    method: 'POST',
    path: '/app-clients/{id}/disable',
    kind: 'manage',
    permission: 'rbac:manage',
    ok: 200,
    call: (w) => ({ path: `/app-clients/${w.clientId}/disable`, json: {} }),
  },
  {
    method: 'POST',
    path: '/app-clients/{id}/rotate-secret',
    kind: 'manage',
    permission: 'rbac:manage',
    ok: 200,
    call: (w) => ({ path: `/app-clients/${w.clientId}/rotate-secret`, json: {} }),
  },
  {
    method: 'GET',
    path: '/app-clients/{id}/roles',
    kind: 'read',
    permission: 'app_clients:read',
    ok: 200,
    call: (w) => ({ path: `/app-clients/${w.clientId}/roles` }),
  },
  {
    method: 'PUT',
    path: '/app-clients/{id}/roles/{roleId}',
    kind: 'manage',
    permission: 'rbac:manage',
    ok: 204,
    call: (w) => ({ path: `/app-clients/${w.clientId}/roles/${w.roleId}` }),
  },
  {
    method: 'DELETE',
    path: '/app-clients/{id}/roles/{roleId}',
    kind: 'destroy',
    permission: 'rbac:manage',
    ok: 204,
    call: (w) => ({ path: `/app-clients/${w.clientId}/roles/${w.roleId}` }),
  },
  {
    method: 'GET',
    path: '/signing-keys',
    kind: 'read',
    permission: 'app_clients:read',
    ok: 200,
    call: () => ({ path: '/signing-keys' }),
  },
  {
    method: 'POST',
    path: '/signing-keys/rotate',
    kind: 'manage',
    permission: 'rbac:manage',
    ok: 201,
    call: () => ({ path: '/signing-keys/rotate', json: {} }),
  },
  {
    method: 'DELETE',
    path: '/signing-keys/{kid}',
    kind: 'destroy',
    permission: 'rbac:manage',
    ok: 204,
    call: (w) => ({ path: `/signing-keys/${w.kid}` }),
  },
];

/** A role, a permission of it, a client holding it, a user holding it, and an old key. */
async function freshWorld(withKey = true): Promise<World> {
  const sql = fx.auth.db.sql;
  const [role] = await sql<{ id: string }[]>`
    insert into public.roles (name) values (${`w_${letters()}`}) returning id`;
  const [permission] = await sql<{ id: string }[]>`
    insert into public.permissions (name) values (${`w_${letters()}:read`}) returning id`;
  const [client] = await sql<{ id: string }[]>`
    insert into public.app_clients (name) values (${`w-${letters()}`}) returning id`;
  const userId = await createAuthUser(sql);
  await sql`insert into public.role_permissions values (${role!.id}, ${permission!.id})`;
  await sql`insert into public.app_client_roles (app_client_id, role_id) values (${client!.id}, ${role!.id})`;
  await sql`insert into public.user_roles (user_id, role_id) values (${userId}, ${role!.id})`;
  let kid = 'no-key-made';
  if (withKey) {
    const key = await fx.services.tokenKeys.generate();
    const old = new Date(clock.now() - 2 * 86_400_000);
    await sql`
      insert into private.app_signing_keys (kid, public_jwk, private_key, created_at, superseded_at)
      values (${key.kid}, ${sql.json(key.publicJwk as never)}, ${key.privateKey}, ${old}, ${old})`;
    kid = key.kid;
  }
  return { roleId: role!.id, permissionId: permission!.id, clientId: client!.id, userId, kid };
}

let tokens: Record<Exclude<Caller, 'anonymous' | 'app_with'>, string> & {
  app_with: Record<string, string>;
};
let ready: Promise<void> | undefined;

// Made inside the first cell, not in beforeAll: the Auth emulator is routed per test.
function ensureCallers(): Promise<void> {
  ready ??= (async () => {
    const appWith: Record<string, string> = {};
    for (const p of ['roles:read', 'permissions:read', 'app_clients:read', 'rbac:manage']) {
      appWith[p] = await tokenFor(await seedClient({ permissions: [p] }));
    }
    tokens = {
      service: SERVICE_TOKEN,
      user: (await signUp()).token,
      admin_aal1: (await admin()).token,
      admin_aal2: (await adminAal2()).token,
      app_with: appWith,
      app_without: await tokenFor(await seedClient()),
    };
  })();
  return ready;
}

function tokenOf(caller: Caller, row: Row): string | undefined {
  if (caller === 'anonymous') return undefined;
  if (caller === 'app_with') return tokens.app_with[row.permission];
  return tokens[caller];
}

/** The exact status each caller gets, from the route's kind. */
function expected(row: Row, caller: Caller): number {
  switch (caller) {
    case 'anonymous':
      return 401;
    case 'service':
    case 'user':
    case 'app_without':
      return 403;
    case 'admin_aal1':
      return row.kind === 'destroy' ? 403 : row.ok;
    case 'admin_aal2':
      return row.ok;
    case 'app_with':
      return row.kind === 'read' ? row.ok : 403;
  }
}

const CODES: Record<number, string> = { 401: 'unauthorized', 403: 'forbidden' };

describe('the authorization matrix of the admin routes', () => {
  it('has a row for every documented operation, and its security says who may call it', async () => {
    const doc = (await adminApi('/openapi.json')).body as {
      paths: Record<string, Record<string, { security?: Array<Record<string, unknown>> }>>;
    };
    const documented = Object.entries(doc.paths)
      .filter(([path]) => !/\/(health|openapi\.json|docs)$/.test(path))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const covered = ROWS.map((r) => `${r.method} /admin${r.path}`);
    expect(documented.sort()).toEqual([...covered].sort());
    for (const row of ROWS) {
      const op = doc.paths[`/admin${row.path}`]?.[row.method.toLowerCase()];
      const schemes = (op?.security ?? []).flatMap((s) => Object.keys(s)).sort();
      expect({ route: `${row.method} ${row.path}`, schemes }).toEqual({
        route: `${row.method} ${row.path}`,
        schemes: row.kind === 'read' ? ['appClient', 'bearerAuth'] : ['bearerAuth'],
      });
    }
  });

  const cells = ROWS.flatMap((row) =>
    CALLERS.map((caller) => ({ ...row, caller, status: expected(row, caller) })),
  );

  it.each(cells)('$method $path as $caller → $status', async (cell) => {
    await ensureCallers();
    const { path, json } = cell.call(await freshWorld(cell.path.includes('{kid}')));
    const res = await adminApi(path, {
      method: cell.method,
      json,
      token: tokenOf(cell.caller, cell),
    });
    expect(res.status).toBe(cell.status);
    if (cell.status >= 400) {
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const code = cell.caller === 'admin_aal1' ? 'insufficient_aal' : CODES[cell.status];
      expect(res.body.code).toBe(code);
    }
    if (cell.caller === 'user' || (cell.caller === 'app_without' && cell.kind === 'read')) {
      expect(res.body.detail).toContain(cell.permission);
    }
    if (cell.caller.startsWith('app_') && cell.kind !== 'read') {
      expect(res.body.detail).toBe('This route is for users only');
    }
  });

  it('shows an app client, through RLS, the rows its permission covers', async () => {
    await ensureCallers();
    const w = await freshWorld();
    const roles = await adminApi('/roles?limit=100&sort=created_at&order=desc', {
      token: tokens.app_with['roles:read'],
    });
    expect(roles.body.data.map((r: { id: string }) => r.id)).toContain(w.roleId);
    const client = await adminApi(`/app-clients/${w.clientId}`, {
      token: tokens.app_with['app_clients:read'],
    });
    expect(client.body).toMatchObject({ id: w.clientId, roles: [{ id: w.roleId }] });
    // The oldest key of all, so it is the first page's one row in ascending order.
    await fx.auth.db.sql`
      update private.app_signing_keys set created_at = created_at - interval '30 days'
       where kid = ${w.kid}`;
    const keys = await adminApi('/signing-keys?order=asc&limit=1', {
      token: tokens.app_with['app_clients:read'],
    });
    expect(keys.body.data).toEqual([expect.objectContaining({ kid: w.kid, status: 'verifying' })]);
  });
});
