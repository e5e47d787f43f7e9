import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { appClientFixtures } from '../../auth/app-clients.ts';
import { fixtures, type TestUser, useApi } from '../fixtures.ts';
import { projectFixtures, SERVICE_TOKEN, sansRequestId } from './helpers.ts';

const fx = useApi();
const { signUp, admin, api } = fixtures(fx);
const { seedProject, seedGeneration, generationsSeenBy } = projectFixtures(fx);
const { seedClient, tokenFor } = appClientFixtures(fx);

const CALLERS = [
  'anonymous',
  'service',
  'stranger',
  'viewer',
  'editor',
  'owner',
  'admin',
  'app_with',
  'app_without',
] as const;
type Caller = (typeof CALLERS)[number];

/**
 * A status, or `{ seen }`: that status when RLS lets the caller see the team's generation and
 * 404 when it does not. An administrator who is not a member reads a project, but whether
 * they read its generations is RLS's to say (history is members' unless granted).
 */
type Expected = number | { seen: number };

/** The people around one project: a fresh project per cell, so no cell sees another's writes. */
interface Team {
  projectId: string;
  editor: TestUser;
  /** A viewer no caller plays, for the member routes to act on. */
  target: TestUser;
  /** A user who is not yet a member, to share with. */
  newcomer: TestUser;
  /** A queued generation (to cancel) and one that has ended, with its events (to read). */
  generationId: string;
  endedId: string;
}

interface Row {
  method: string;
  /** The documented path, matched against /openapi.json. */
  path: string;
  call(t: Team): { path: string; json?: unknown };
  /** The exact status for each caller. */
  expect: Record<Caller, Expected>;
}

// anonymous → 401, and the service role and app clients → 403 (requireUser) everywhere, an
// app client holding projects:read_all and projects:write_all included; then stranger,
// viewer, editor, owner, admin (projects:read_all + projects:write_all, not a member).
const row = (
  method: string,
  path: string,
  call: Row['call'],
  [stranger, viewer, editor, owner, adminStatus]: Expected[],
): Row => ({
  method,
  path,
  call,
  expect: {
    anonymous: 401,
    service: 403,
    stranger: stranger!,
    viewer: viewer!,
    editor: editor!,
    owner: owner!,
    admin: adminStatus!,
    app_with: 403,
    app_without: 403,
  },
});

const P = '/api/projects/{id}';
const G = '/api/generations/{id}';
const ROWS: Row[] = [
  row(
    'POST',
    '/api/projects',
    () => ({ path: '/projects', json: { name: 'Probe' } }),
    [201, 201, 201, 201, 201],
  ),
  row('GET', '/api/projects', () => ({ path: '/projects' }), [200, 200, 200, 200, 200]),
  row('GET', P, (t) => ({ path: `/projects/${t.projectId}` }), [404, 200, 200, 200, 200]),
  row(
    'PUT',
    P,
    (t) => ({ path: `/projects/${t.projectId}`, json: { name: 'Renamed' } }),
    [404, 403, 403, 200, 200],
  ),
  row('DELETE', P, (t) => ({ path: `/projects/${t.projectId}` }), [404, 403, 403, 204, 204]),
  row(
    'POST',
    `${P}/transfer`,
    (t) => ({ path: `/projects/${t.projectId}/transfer`, json: { user_id: t.editor.id } }),
    [404, 403, 403, 200, 200],
  ),
  row(
    'GET',
    `${P}/members`,
    (t) => ({ path: `/projects/${t.projectId}/members` }),
    [404, 200, 200, 200, 200],
  ),
  row(
    'POST',
    `${P}/members`,
    (t) => ({
      path: `/projects/${t.projectId}/members`,
      json: { user_id: t.newcomer.id, role: 'viewer' },
    }),
    [404, 403, 403, 201, 201],
  ),
  row(
    'PATCH',
    `${P}/members/{userId}`,
    (t) => ({ path: `/projects/${t.projectId}/members/${t.target.id}`, json: { role: 'editor' } }),
    [404, 403, 403, 200, 200],
  ),
  row(
    'DELETE',
    `${P}/members/{userId}`,
    (t) => ({ path: `/projects/${t.projectId}/members/${t.target.id}` }),
    [404, 403, 403, 204, 204],
  ),
  // Admins (projects:read_all) reach the project, but its history is its members': they get
  // an empty page (history.test.ts shows projects:read_history, which is audited).
  row(
    'GET',
    `${P}/messages`,
    (t) => ({ path: `/projects/${t.projectId}/messages` }),
    [404, 200, 200, 200, 200],
  ),
  row(
    'POST',
    `${P}/messages`,
    (t) => ({ path: `/projects/${t.projectId}/messages`, json: { content: 'Hello' } }),
    [404, 403, 201, 201, 403],
  ),
  row(
    'POST',
    `${P}/generations`,
    (t) => ({ path: `/projects/${t.projectId}/generations`, json: { prompt: 'Probe' } }),
    [404, 403, 202, 202, 403],
  ),
  row(
    'GET',
    `${P}/generations`,
    (t) => ({ path: `/projects/${t.projectId}/generations` }),
    [404, 200, 200, 200, 200],
  ),
  row('GET', G, (t) => ({ path: `/generations/${t.endedId}` }), [
    404,
    200,
    200,
    200,
    { seen: 200 },
  ]),
  row('GET', `${G}/events`, (t) => ({ path: `/generations/${t.endedId}/events` }), [
    404,
    200,
    200,
    200,
    { seen: 200 },
  ]),
  row('GET', `${G}/stream`, (t) => ({ path: `/generations/${t.endedId}/stream` }), [
    404,
    200,
    200,
    200,
    { seen: 200 },
  ]),
  row('POST', `${G}/cancel`, (t) => ({ path: `/generations/${t.generationId}/cancel` }), [
    404,
    403,
    200,
    200,
    { seen: 403 },
  ]),
];

const CODES: Record<number, string> = { 401: 'unauthorized', 403: 'forbidden', 404: 'not_found' };

type Person = 'stranger' | 'viewer' | 'editor' | 'owner' | 'admin' | 'target' | 'newcomer';
let people: Record<Person, TestUser>;
let apps: Record<'app_with' | 'app_without', string>;
let signedUp: Promise<void> | undefined;

// Signed up inside the first cell, not in beforeAll: the Auth emulator is routed per test.
function ensurePeople(): Promise<void> {
  signedUp ??= (async () => {
    people = {
      stranger: await signUp(),
      viewer: await signUp(),
      editor: await signUp(),
      owner: await signUp(),
      admin: await admin(),
      target: await signUp(),
      newcomer: await signUp(),
    };
    apps = {
      app_with: await tokenFor(
        await seedClient({ permissions: ['projects:read_all', 'projects:write_all'] }),
      ),
      app_without: await tokenFor(await seedClient()),
    };
  })();
  return signedUp;
}

async function freshTeam(): Promise<Team> {
  await ensurePeople();
  const { owner, viewer, editor, target, newcomer } = people;
  const projectId = await seedProject(owner, [
    [viewer, 'viewer'],
    [editor, 'editor'],
    [target, 'viewer'],
  ]);
  const generationId = await seedGeneration(projectId, editor);
  const endedId = await seedGeneration(projectId, editor);
  const sql = fx.auth.db.sql;
  await sql`update public.code_generations set status = 'cancelled', finished_at = now()
            where id = ${endedId}`;
  const result = { status: 'cancelled', summary: null, files: [], build: null, preview: null };
  await sql`select private.append_generation_event(${endedId}, 'Result',
              ${sql.json({ ...result, duration_ms: 0, output_bytes: 0 })})`;
  return { projectId, editor, target, newcomer, generationId, endedId };
}

function tokenOf(caller: Caller): string | undefined {
  if (caller === 'anonymous') return undefined;
  if (caller === 'service') return SERVICE_TOKEN;
  if (caller === 'app_with' || caller === 'app_without') return apps[caller];
  return people[caller].token;
}

describe('the authorization matrix of the project routes', () => {
  it('has a row for every documented /api/projects and /api/generations operation, and no other', async () => {
    const doc = (await api('/openapi.json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(doc.paths)
      .filter(([path]) => /^\/api\/(projects|generations)(\/|$)/.test(path))
      // The CRM's routes have their own matrices (../crm/*authorization-matrix.test.ts).
      .filter(
        ([path]) =>
          !/^\/api\/projects\/\{id\}\/(channels|clients|templates|classifier|imports|analytics)(\/|$)/.test(
            path,
          ),
      )
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const covered = ROWS.map((r) => `${r.method} ${r.path}`);
    expect(documented.filter((op) => !covered.includes(op))).toEqual([]);
    expect(covered.filter((op) => !documented.includes(op))).toEqual([]);
    expect(new Set(covered).size).toBe(covered.length);
  });

  const cells = ROWS.flatMap((r) =>
    CALLERS.map((caller) => {
      const expected = r.expect[caller];
      const label =
        typeof expected === 'number' ? `${expected}` : `${expected.seen} if RLS shows it`;
      return { ...r, caller, expected, label };
    }),
  );

  it.each(cells)('$method $path as $caller → $label', async (cell) => {
    const team = await freshTeam();
    let status = cell.expected;
    if (typeof status !== 'number') {
      const seen = await generationsSeenBy(people[cell.caller as Person], team.projectId);
      status = seen.includes(team.generationId) ? status.seen : 404;
    }
    const { path, json } = cell.call(team);
    const res = await api(path, { method: cell.method, json, token: tokenOf(cell.caller) });
    expect(res.status).toBe(status);
    const code = CODES[status];
    if (code) {
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.code).toBe(code);
    }
    if (status === 404) {
      // Hidden looks exactly like missing: the same call on a project that does not exist.
      const missing = cell.call({
        ...team,
        projectId: randomUUID(),
        generationId: randomUUID(),
        endedId: randomUUID(),
      });
      const other = await api(missing.path, {
        method: cell.method,
        json: missing.json,
        token: tokenOf(cell.caller),
      });
      expect(other.status).toBe(404);
      expect(sansRequestId(res.body)).toEqual(sansRequestId(other.body));
    }
  });
});
