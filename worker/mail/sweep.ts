import type { Pool } from '../../shared/db/client.ts';
import { asService } from '../../shared/db/doors.ts';
import { enqueueUnlessPresent } from '../../shared/jobs/enqueue.ts';
import type { Logger } from '../../shared/log.ts';
import { unsentMail } from './outbox.ts';

export interface MailSweepOptions {
  db: Pool;
  log: Logger;
  /** Rows queued per sweep at most (default 500); the rest wait for the next one. */
  batch?: number;
}

/**
 * Queues a `mail` job for every unsent outbox row. Mail is written by SQL (the sign-in hooks
 * run inside GoTrue's transaction, where no pg-boss client exists), so instead of enqueueing
 * beside the insert, every worker sweeps the outbox on a timer. A row's job id is derived from
 * the row (`mailJobId`), so sweeps of several workers, or a sweep that finds a row whose job
 * is still retrying, queue nothing twice.
 */
export class MailSweep {
  private readonly opts: MailSweepOptions;
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<number> | undefined;

  constructor(opts: MailSweepOptions) {
    this.opts = opts;
  }

  /** One sweep; returns how many jobs it created. */
  async sweep(): Promise<number> {
    const { db, batch = 500 } = this.opts;
    return asService(db, async (tx) => {
      let created = 0;
      for (const id of await unsentMail(tx, batch)) {
        if (await enqueueUnlessPresent(tx, 'mail', { outbox_id: id })) created++;
      }
      return created;
    });
  }

  /** Sweeps now and every `intervalMs`; a sweep never overlaps the previous one. */
  start(intervalMs: number): void {
    const tick = () => {
      this.running ??= this.sweep()
        .then((n) => {
          if (n) this.opts.log.info('mail queued for delivery', { mails: n });
          return n;
        })
        .catch((err: unknown) => {
          this.opts.log.error('mail sweep failed', { err });
          return 0;
        })
        .finally(() => {
          this.running = undefined;
        });
    };
    tick();
    this.timer = setInterval(tick, intervalMs);
  }

  /** Stops the timer and waits for a sweep under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
