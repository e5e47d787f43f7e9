import { expect } from 'vitest';
import type { FunctionsHarness } from '../../../helpers/functions.ts';
import { fixtures, type TestUser } from '../fixtures.ts';
import { SERVICE_TOKEN } from '../projects/helpers.ts';

/** Who calls, in every CRM authorization matrix. */
export const CALLERS = [
  'anonymous',
  'service',
  'stranger',
  'viewer',
  'editor',
  'owner',
  'admin',
] as const;
export type Caller = (typeof CALLERS)[number];

/** The error code each refusal carries. */
export const CODES: Record<number, string> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
};

/** One documented operation, called on a fixture `T`, with what each caller gets. */
export interface MatrixRow<T, C> {
  method: string;
  /** The documented path, matched against /openapi.json. */
  path: string;
  call(t: T): C;
  /** The same call on a missing thing: what a hidden one must look exactly like. */
  missing: (t: T) => T;
  expect: Record<Caller, number>;
}

/**
 * A row builder: anonymous → 401 and the service role → 403 (requireUser) everywhere; then
 * stranger, viewer, editor, owner, and an admin (projects:read_all and write_all) who is not a
 * member: a CRM is its members' alone, so the admin sees the project but none of its CRM.
 */
export function rowsOf<T, C>(defaultMissing: (t: T) => T) {
  return (
    method: string,
    path: string,
    call: (t: T) => C,
    [stranger, viewer, editor, owner, admin]: [number, number, number, number, number],
    missing: (t: T) => T = defaultMissing,
  ): MatrixRow<T, C> => ({
    method,
    path,
    call,
    missing,
    expect: { anonymous: 401, service: 403, stranger, viewer, editor, owner, admin },
  });
}

type Person = Exclude<Caller, 'anonymous' | 'service'>;

/**
 * The five people of a matrix, signed up once, on first use: inside the first cell, not in
 * beforeAll, because the Auth emulator is routed per test.
 */
export function matrixPeople(fx: FunctionsHarness) {
  const { signUp, admin } = fixtures(fx);
  let signedUp: Promise<Record<Person, TestUser>> | undefined;
  let people: Record<Person, TestUser> | undefined;
  async function ensure(): Promise<Record<Person, TestUser>> {
    signedUp ??= (async () => ({
      stranger: await signUp(),
      viewer: await signUp(),
      editor: await signUp(),
      owner: await signUp(),
      admin: await admin(),
    }))();
    people = await signedUp;
    return people;
  }
  /** The caller's bearer token (none for anonymous); `ensure()` first. */
  function tokenOf(caller: Caller): string | undefined {
    if (caller === 'anonymous') return undefined;
    if (caller === 'service') return SERVICE_TOKEN;
    if (!people) throw new Error('call ensure() first');
    return people[caller].token;
  }
  return { ensure, tokenOf };
}

/** Every row once, and exactly the operations of /openapi.json that `mine` claims. */
export function expectRowsMatchDocumented(
  paths: Record<string, object>,
  mine: (path: string) => boolean,
  rows: Array<{ method: string; path: string }>,
): void {
  const documented = Object.entries(paths)
    .filter(([path]) => mine(path))
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
  const covered = rows.map((r) => `${r.method} ${r.path}`);
  expect(documented.filter((op) => !covered.includes(op))).toEqual([]);
  expect(covered.filter((op) => !documented.includes(op))).toEqual([]);
  expect(new Set(covered).size).toBe(covered.length);
}

/** One cell per row and caller, with the status that caller must get. */
export function cellsOf<R extends { expect: Record<Caller, number> }>(rows: R[]) {
  return rows.flatMap((r) => CALLERS.map((caller) => ({ ...r, caller, status: r.expect[caller] })));
}
