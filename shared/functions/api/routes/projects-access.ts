import type { Context } from 'hono';
import { can, dbClaims, type UserPrincipal } from '../../../auth/principal.ts';
import type { Tx } from '../../../db/client.ts';
import { asUser } from '../../../db/doors.ts';
import { CHECK_VIOLATION, INSUFFICIENT_PRIVILEGE, isPg, pgFailure } from '../../../db/errors.ts';
import type { AppEnv } from '../../../http/context.ts';
import { currentUser } from '../../../http/middleware/auth.ts';
import { findProject, type ProjectRow } from '../../../projects/projects.ts';
import { invalidField, notAllowed, projectNotFound } from './projects-schemas.ts';

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
  const user = currentUser(c.var.principal);
  return asUser(c.var.services.db, dbClaims(user), async (tx) => {
    const project = await findProject(tx, id);
    if (!project) throw projectNotFound();
    return fn({ tx, project, user });
  }).catch((err: unknown) => {
    if (isPg(err, INSUFFICIENT_PRIVILEGE)) throw notAllowed(err);
    throw err;
  });
}

/**
 * Whether the caller manages the project's members (its owner, or `projects:write_all`).
 * Only used to pick the clearer of two refusals; RLS still decides every write.
 */
export function manages(user: UserPrincipal, project: ProjectRow): boolean {
  return project.role === 'owner' || can(user, 'projects:write_all');
}

// The projects table's constraints (20261122000700_projects.sql), by the field they guard.
const CONSTRAINTS: Record<string, [path: string, message: string]> = {
  projects_name_length: ['body.name', 'Use 1 to 120 characters'],
  projects_description_length: ['body.description', 'Use at most 2000 characters'],
  projects_settings_object: ['body.settings', 'Settings must be a JSON object'],
  projects_settings_size: ['body.settings', 'Settings may hold at most 64 KB'],
};

/**
 * A project field the database refused (a CHECK) as a 422 at that field, never with the
 * database's message; anything else is passed through unchanged.
 */
export function projectFieldError(err: unknown): unknown {
  const failure = pgFailure(err);
  if (failure?.code !== CHECK_VIOLATION) return err;
  const [path, message] = CONSTRAINTS[failure.constraint ?? ''] ?? [
    'body',
    'A value is not allowed',
  ];
  return invalidField(path, message, err);
}
