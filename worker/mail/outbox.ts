import type { Tx } from '../../shared/db/client.ts';

/** One unsent mail, as the deliverer reads it. */
export interface OutboxMail {
  id: number;
  to: string;
  subject: string;
  body: string;
  attempts: number;
}

/** The longest error kept on a row (the column's check allows 1000 characters). */
const ERROR_MAX = 1000;

/**
 * Unsent mail, oldest first, at most `limit` rows (served by `mail_outbox_pending_idx`).
 * Rows being delivered right now are included: their job id makes queueing them again a no-op.
 */
export async function unsentMail(tx: Tx, limit: number): Promise<number[]> {
  const rows = await tx<{ id: string }[]>`
    select id from private.mail_outbox where sent_at is null order by created_at, id limit ${limit}`;
  return rows.map((r) => Number(r.id));
}

/**
 * Counts an attempt on an unsent row and returns it; undefined when the row is gone or was
 * already sent (a job that runs again after its mail went out sends nothing). Committed
 * before the SMTP conversation, so a worker that dies mid-send still leaves the attempt
 * counted.
 */
export async function startAttempt(tx: Tx, id: number): Promise<OutboxMail | undefined> {
  const [row] = await tx<(Omit<OutboxMail, 'id'> & { id: string })[]>`
    update private.mail_outbox set attempts = attempts + 1
     where id = ${id} and sent_at is null
     returning id, to_email as "to", subject, body, attempts`;
  return row ? { ...row, id: Number(row.id) } : undefined;
}

/** Marks a row delivered at `at`; its last error is cleared. */
export async function markSent(tx: Tx, id: number, at: Date): Promise<void> {
  await tx`update private.mail_outbox set sent_at = ${at}, last_error = null where id = ${id}`;
}

/** Records why an attempt failed; the row stays unsent, for the next attempt. */
export async function recordFailure(tx: Tx, id: number, error: string): Promise<void> {
  await tx`update private.mail_outbox set last_error = ${error.slice(0, ERROR_MAX)}
            where id = ${id} and sent_at is null`;
}
