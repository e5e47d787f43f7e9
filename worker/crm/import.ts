import { runImport } from '../../shared/crm/import/run.ts';
import type { CrmImportJob } from '../../shared/jobs/queues.ts';
import type { JobContext } from '../runtime/runner.ts';
import type { CrmDeps } from './context.ts';

/**
 * `crm.import`: runs a large CSV import of clients, writing progress after every batch (each
 * write broadcasts `import_progress` on `crm:<project>`). An attempt that fails rolls its
 * writes back and is retried; the last one ends the import as `failed` and drops its file.
 */
export function importHandler(deps: CrmDeps) {
  return async ({ import_id }: CrmImportJob, ctx: JobContext): Promise<void> => {
    await runImport(deps.db, import_id, {
      clock: deps.clock,
      progress: true,
      final: ctx.retryCount >= ctx.retryLimit,
    });
    ctx.log.info('import finished', { import: import_id });
  };
}
