import type { CrmPurgeJob } from '../../shared/jobs/queues.ts';
import type { JobContext } from '../runtime/runner.ts';
import type { CrmDeps } from './context.ts';

/**
 * `crm.purge`: removes a deleted client's files (`<project>/clients/<client>/`) from Storage,
 * which SQL cannot do. Retried until it succeeds; removing what is gone already is a no-op.
 */
export function purgeHandler(deps: CrmDeps) {
  return async ({ project_id, client_id }: CrmPurgeJob, ctx: JobContext): Promise<void> => {
    if (!deps.storage) {
      ctx.log.warn('no Storage configured: nothing to purge', { client: client_id });
      return;
    }
    const removed = await deps.storage.removeFolder(`${project_id}/clients/${client_id}/`);
    ctx.log.info('purged a deleted client’s files', { client: client_id, removed });
  };
}
