import type { CrmDeps } from '../crm/context.ts';
import { crmHandlers } from '../crm/handlers.ts';
import type { GenerationDeps } from '../generation/context.ts';
import { generationHandler } from '../generation/run.ts';
import { type MailDeps, mailHandler } from '../mail/deliver.ts';
import type { JobHandlers } from '../runtime/runner.ts';

/**
 * The one map of queue → handler the worker consumes (shared/jobs/queues.ts names the
 * queues and their payloads). A new queue's handler is registered here, with what it needs
 * added to `HandlerDeps`.
 */
export interface HandlerDeps {
  generation: GenerationDeps;
  crm: CrmDeps;
  /** Mail delivery; without it (no SMTP_URL) the `mail` queue is not consumed. */
  mail?: MailDeps;
}

export function jobHandlers(deps: HandlerDeps): JobHandlers {
  return {
    generation: generationHandler(deps.generation),
    ...crmHandlers(deps.crm),
    ...(deps.mail ? { mail: mailHandler(deps.mail) } : {}),
  };
}
