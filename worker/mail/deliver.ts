import { asService } from '../../shared/db/doors.ts';
import { redactString } from '../../shared/log.ts';
import type { JobHandler } from '../runtime/runner.ts';
import { markSent, recordFailure, startAttempt } from './outbox.ts';
import type { MailTransport } from './transport.ts';

/** What the `mail` queue's handler needs. */
export interface MailDeps {
  transport: MailTransport;
}

/**
 * Delivers one outbox row: counts the attempt, hands the message to the transport, and marks
 * the row sent. When the transport fails, the reason is kept on the row and the error is
 * rethrown, so pg-boss retries the job with its backoff; the row stays unsent until then.
 *
 * Delivery is at least once: a worker that dies after the server accepted the message but
 * before the row is marked sends it again on the retry. Never zero times is the better error
 * for a notice about one's own account.
 */
export function mailHandler(deps: MailDeps): JobHandler<'mail'> {
  return async ({ outbox_id: id }, ctx) => {
    const mail = await asService(ctx.db, (tx) => startAttempt(tx, id));
    if (!mail) {
      ctx.log.info('mail already sent, nothing to do', { outbox: id });
      return;
    }
    try {
      await deps.transport.send({ to: mail.to, subject: mail.subject, text: mail.body });
    } catch (err) {
      const reason = redactString(err instanceof Error ? err.message : String(err));
      await asService(ctx.db, (tx) => recordFailure(tx, id, reason));
      ctx.log.warn('mail not delivered; it will be tried again', {
        outbox: id,
        attempt: mail.attempts,
        reason,
      });
      throw err;
    }
    await asService(ctx.db, (tx) => markSent(tx, id, new Date(ctx.clock.now())));
    ctx.log.info('mail delivered', { outbox: id, attempt: mail.attempts });
  };
}
