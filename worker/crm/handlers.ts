import type { JobHandlers } from '../runtime/runner.ts';
import type { CrmDeps } from './context.ts';
import { importHandler } from './import.ts';
import { intakeHandler } from './intake.ts';
import { mediaHandler } from './media.ts';
import { purgeHandler } from './purge.ts';
import { sendHandler } from './send.ts';

/** The CRM's queues and their handlers, for the worker's one map (worker/jobs/handlers.ts). */
export function crmHandlers(deps: CrmDeps): JobHandlers {
  return {
    'whatsapp.intake': intakeHandler(deps),
    'whatsapp.send': sendHandler(deps),
    'whatsapp.media': mediaHandler(deps),
    'crm.purge': purgeHandler(deps),
    'crm.import': importHandler(deps),
  };
}
