import type { Clock } from '../../shared/clock.ts';
import type { TokenCipher } from '../../shared/crm/token-cipher.ts';
import type { Pool } from '../../shared/db/client.ts';
import type { Logger } from '../../shared/log.ts';
import type { GraphClient } from '../whatsapp/client.ts';
import type { DocumentStorage } from './storage.ts';

/** What the CRM's job handlers use. */
export interface CrmDeps {
  db: Pool;
  clock: Clock;
  log: Logger;
  graph: GraphClient;
  /** Opens channels' access tokens; null without CRM_ENCRYPTION_KEY (sends then fail, saying so). */
  cipher: TokenCipher | null;
  /** The `documents` bucket; null without Storage settings (media is then kept by reference). */
  storage: DocumentStorage | null;
}
