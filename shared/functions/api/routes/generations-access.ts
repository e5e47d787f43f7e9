import type { Context } from 'hono';
import type { UserPrincipal } from '../../../auth/principal.ts';
import type { Tx } from '../../../db/client.ts';
import { INSUFFICIENT_PRIVILEGE, isPg } from '../../../db/errors.ts';
import { findGeneration, type GenerationRow } from '../../../generations/generations.ts';
import type { AppEnv } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { currentUser } from '../../../http/middleware/auth.ts';
import { readsHistoryByPermission } from '../../../projects/history.ts';
import { generationNotFound } from './generations-schemas.ts';
import { auditHistoryRead } from './history-reads.ts';
import { notAllowed } from './projects-schemas.ts';

export interface GenerationScope {
  tx: Tx;
  generation: GenerationRow;
  user: UserPrincipal;
}

/**
 * Runs `fn` as the caller, in one transaction, on a generation they can see (404 exactly like
 * a missing one otherwise). A refusal after that (RLS, or a function raising 42501) can only
 * mean "seen but not yours to change": a 403. A generation seen by `projects:read_history`
 * rather than membership is a read of the project's history, and is audited.
 */
export async function inGeneration<T>(
  c: Context<AppEnv>,
  id: string,
  fn: (scope: GenerationScope) => Promise<T>,
): Promise<T> {
  // Generation routes are for users only (requireUser), so the caller is a user.
  const user = currentUser(c.var.principal);
  const { result, projectId, byPermission } = await withCaller(c, async (tx) => {
    const generation = await findGeneration(tx, id);
    if (!generation) throw generationNotFound();
    return {
      result: await fn({ tx, generation, user }),
      projectId: generation.projectId,
      byPermission: await readsHistoryByPermission(tx, generation.projectId),
    };
  }).catch((err: unknown) => {
    if (isPg(err, INSUFFICIENT_PRIVILEGE)) throw notAllowed(err);
    throw err;
  });
  await auditHistoryRead(c, projectId, byPermission);
  return result;
}
