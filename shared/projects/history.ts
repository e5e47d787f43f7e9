import type { Tx } from '../db/client.ts';

/**
 * Whether the caller reads this project's history (its conversation and generations) by
 * permission (`projects:read_history`) rather than as a member: such reads are audited. Run in
 * the transaction of the read, so it answers what RLS answered.
 */
export async function readsHistoryByPermission(tx: Tx, projectId: string): Promise<boolean> {
  const [row] = await tx<{ yes: boolean }[]>`
    select not private.is_project_member(${projectId}::uuid)
           and private.authorize('projects:read_history') as yes`;
  return row?.yes ?? false;
}
