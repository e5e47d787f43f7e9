import type { Pool as Sql, Tx } from '../../../shared/db/client.ts';
import { asUser, type DbClaims } from '../../../shared/db/doors.ts';
import { claimsOf, createAuthUser, grant } from '../identity/fixtures.ts';

/** Claims of a signed-out caller, as PostgREST sends them with the anon key. */
export const ANON: DbClaims = { sub: '00000000-0000-0000-0000-000000000000', role: 'anon' };

/** SQLSTATE insufficient_privilege: what a missing grant or a failed WITH CHECK raises. */
export const DENIED = '42501';

/** One shared project with a member of every role, plus two outsiders. */
export interface World {
  owner: string;
  editor: string;
  viewer: string;
  stranger: string;
  /** Holds the `admin` role, hence projects:read_all and projects:write_all. */
  admin: string;
  /** Belongs to nothing; the user that members try to share the project with. */
  newcomer: string;
  project: string;
  /** A generation requested by the editor. */
  generation: string;
  /** A message posted by the editor. */
  message: string;
}

/**
 * Builds a World the way the API would: the project, its sharing and its content are all
 * written through RLS as the acting users; only the users and the admin grant come from SQL.
 */
export async function createWorld(sql: Sql): Promise<World> {
  const [owner, editor, viewer, stranger, admin, newcomer] = await Promise.all(
    Array.from({ length: 6 }, () => createAuthUser(sql)),
  );
  await grant(sql, admin!, 'admin');
  const project = await createProject(sql, owner!, 'Shared app');
  await asUser(sql, claimsOf(owner!), async (tx) => {
    await tx`insert into public.project_members (project_id, user_id, role)
             values (${project}, ${editor!}, 'editor'), (${project}, ${viewer!}, 'viewer')`;
  });
  const generation = await requestGeneration(sql, editor!, project, 'Add a login screen');
  const message = await postMessage(sql, editor!, project, 'Please add a login screen');
  return {
    owner: owner!,
    editor: editor!,
    viewer: viewer!,
    stranger: stranger!,
    admin: admin!,
    newcomer: newcomer!,
    project,
    generation,
    message,
  };
}

/** Creates a project as `owner`, through RLS. */
export async function createProject(sql: Sql, owner: string, name: string): Promise<string> {
  const [row] = await asUser(
    sql,
    claimsOf(owner),
    (tx) =>
      tx`insert into public.projects (owner_id, name) values (${owner}, ${name}) returning id`,
  );
  return row?.id as string;
}

/** Requests a generation as `user`, through RLS (requested_by defaults to the caller). */
export async function requestGeneration(
  sql: Sql,
  user: string,
  project: string,
  prompt: string,
): Promise<string> {
  const [row] = await asUser(
    sql,
    claimsOf(user),
    (tx) =>
      tx`insert into public.code_generations (project_id, prompt) values (${project}, ${prompt})
         returning id`,
  );
  return row?.id as string;
}

/** Posts a user message as `user`, through RLS (author_id defaults to the caller). */
export async function postMessage(
  sql: Sql,
  user: string,
  project: string,
  content: string,
): Promise<string> {
  const [row] = await asUser(
    sql,
    claimsOf(user),
    (tx) =>
      tx`insert into public.project_messages (project_id, author_kind, content)
         values (${project}, 'user', ${content}) returning id`,
  );
  return row?.id as string;
}

/** Thrown to end a transaction after measuring it, so every probe leaves the data as it was. */
class Rollback extends Error {}

/**
 * Runs `fn` as the caller and rolls it back: resolves to what `fn` counted (rows seen or
 * affected), or to the SQLSTATE of the error it raised. A matrix of probes can then share one
 * World, since none of them changes it.
 */
export async function probe(
  sql: Sql,
  claims: DbClaims,
  fn: (tx: Tx) => Promise<number>,
): Promise<number | string> {
  let counted = -1;
  try {
    await asUser(sql, claims, async (tx) => {
      counted = await fn(tx);
      throw new Rollback();
    });
  } catch (err) {
    if (err instanceof Rollback) return counted;
    const code = (err as { code?: string }).code;
    if (code) return code;
    throw err;
  }
  throw new Error('probe: the transaction committed, which it never should');
}
