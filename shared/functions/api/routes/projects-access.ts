import type { Context } from 'hono';
import { can, type UserPrincipal } from '../../../auth/principal.ts';
import type { Tx } from '../../../db/client.ts';
import { INSUFFICIENT_PRIVILEGE, isPg, pgFailure } from '../../../db/errors.ts';
import type { AppEnv } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { currentUser } from '../../../http/middleware/auth.ts';
import { findProject, type ProjectRow } from '../../../projects/projects.ts';
import { notAllowed, projectNotFound } from './projects-schemas.ts';

export interface ProjectScope {
  tx: Tx;
  project: ProjectRow;
  user: UserPrincipal;
}

/**
 * Runs `fn` as the caller, in one transaction, on a project they can see. A project they
 * cannot see is a 404 exactly like a missing one. Because visibility is settled first, a
 * refusal after it (RLS 42501, or a function raising it) can only mean "seen but not yours
 * to change": a 403. Routes report a write that RLS silently filtered (0 rows) with
 * `notAllowed()` themselves.
 */
export async function inProject<T>(
  c: Context<AppEnv>,
  id: string,
  fn: (scope: ProjectScope) => Promise<T>,
): Promise<T> {
  // Project routes are for users only (requireUser), so the caller is a user.
  const user = currentUser(c.var.principal);
  return withCaller(c, async (tx) => {
    const project = await findProject(tx, id);
    if (!project) throw projectNotFound();
    return fn({ tx, project, user });
  }).catch((err: unknown) => {
    if (isPg(err, INSUFFICIENT_PRIVILEGE)) throw notAllowed(err);
    throw err;
  });
}

/**
 * `inProject` for one write that RLS guards on its own: `fn` runs at once, without looking
 * the project up first, so the request costs one query instead of two. Only when the write
 * is refused or breaks a rule is the project looked up, in a transaction of its own, to
 * answer as `inProject` would: a hidden project is a 404 like a missing one, whatever failed,
 * and a refusal on a project the caller sees is a 403.
 */
export async function writeInProject<T>(
  c: Context<AppEnv>,
  id: string,
  fn: (scope: Omit<ProjectScope, 'project'>) => Promise<T>,
): Promise<T> {
  const user = currentUser(c.var.principal);
  try {
    return await withCaller(c, (tx) => fn({ tx, user }));
  } catch (err) {
    // Only a refusal or a broken rule (class 23) can come from a project the caller cannot
    // see; anything else (the database away) answers as it is.
    const code = pgFailure(err)?.code;
    if (code !== INSUFFICIENT_PRIVILEGE && !code?.startsWith('23')) throw err;
    const project = await withCaller(c, (tx) => findProject(tx, id));
    if (!project) throw projectNotFound();
    if (code === INSUFFICIENT_PRIVILEGE) throw notAllowed(err);
    throw err;
  }
}

/**
 * Whether the caller manages the project's members (its owner, or `projects:write_all`).
 * Only used to pick the clearer of two refusals; RLS still decides every write.
 */
export function manages(user: UserPrincipal, project: ProjectRow): boolean {
  return project.role === 'owner' || can(user, 'projects:write_all');
}
