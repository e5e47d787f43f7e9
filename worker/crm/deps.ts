import type { Clock } from '../../shared/clock.ts';
import { tokenCipher } from '../../shared/crm/token-cipher.ts';
import type { Pool } from '../../shared/db/client.ts';
import type { Logger } from '../../shared/log.ts';
import type { WorkerEnv } from '../config.ts';
import { createGraphClient } from '../whatsapp/client.ts';
import type { CrmDeps } from './context.ts';
import { supabaseStorage } from './storage.ts';

/**
 * The CRM handlers' dependencies from the worker's config: the Graph API client, the cipher
 * for channel tokens and the `documents` bucket, each only when configured (and said so).
 */
export function crmDepsFromConfig(
  config: WorkerEnv,
  base: { db: Pool; clock: Clock; log: Logger },
): CrmDeps {
  const log = base.log.child({ part: 'crm' });
  if (!config.CRM_ENCRYPTION_KEY) {
    log.warn('CRM_ENCRYPTION_KEY is not set: WhatsApp messages cannot be sent');
  }
  const storage =
    config.SUPABASE_URL && config.SUPABASE_SERVICE_ROLE_KEY
      ? supabaseStorage(config.SUPABASE_URL, config.SUPABASE_SERVICE_ROLE_KEY)
      : null;
  if (!storage) log.warn('No Storage settings: WhatsApp media is kept by reference only');
  return {
    ...base,
    log,
    graph: createGraphClient({
      config: {
        baseUrl: config.GRAPH_API_BASE_URL.replace(/\/+$/, ''),
        version: config.GRAPH_API_VERSION,
      },
      clock: base.clock,
    }),
    cipher: config.CRM_ENCRYPTION_KEY ? tokenCipher(config.CRM_ENCRYPTION_KEY) : null,
    storage,
  };
}
