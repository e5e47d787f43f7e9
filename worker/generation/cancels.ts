import type { Pool } from '../../shared/db/client.ts';
import type { Logger } from '../../shared/log.ts';

/** The channel `private.cancel_generation` notifies with a running generation's id. */
export const CANCEL_CHANNEL = 'generation_cancel';

/**
 * Wakes the runs of this worker whose generation was cancelled, by LISTEN on
 * `generation_cancel`. A notification that arrives while the connection is down is lost;
 * each run's heartbeat reads `cancel_requested_at` as well, so a cancel is never missed, only
 * later.
 */
export class CancelListener {
  private readonly watched = new Map<string, () => void>();
  private listening: { unlisten(): Promise<void> } | undefined;

  private readonly db: Pool;
  private readonly log: Logger;

  constructor(db: Pool, log: Logger) {
    this.db = db;
    this.log = log;
  }

  async start(): Promise<void> {
    this.listening = await this.db.listen(CANCEL_CHANNEL, (id) => {
      const cancel = this.watched.get(id);
      if (cancel) {
        this.log.info('cancel requested', { generation: id });
        cancel();
      }
    });
  }

  /** Calls `cancel` when the generation is cancelled; returns the function that stops watching. */
  watch(generationId: string, cancel: () => void): () => void {
    this.watched.set(generationId, cancel);
    return () => {
      if (this.watched.get(generationId) === cancel) this.watched.delete(generationId);
    };
  }

  async stop(): Promise<void> {
    await this.listening?.unlisten().catch(() => {});
    this.listening = undefined;
  }
}
