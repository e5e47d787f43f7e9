import { describe, expect, it } from 'vitest';
import { useLocalStack } from '../helpers/stack.ts';
import { until } from '../helpers/worker.ts';

// `npm run dev` delivers the system's own mail: the worker it starts sweeps the outbox and
// speaks SMTP to the stack's sink, and the mail lands in the mailbox beside Auth's.
const h = useLocalStack(
  {},
  { worker: { env: { MAIL_SWEEP_INTERVAL_S: '0.5', LOG_LEVEL: 'silent' } } },
);

describe("the local stack's mail", () => {
  it('takes a mail from the outbox to the mailbox at /mailbox, and marks it sent', async () => {
    const to = 'outbox-owner@example.com';
    const [row] = await h.db.sql<{ id: string }[]>`
      insert into private.mail_outbox (to_email, subject, body)
      values (${to}, 'Password sign-in to your account is paused', 'Paused until 12:00 UTC.')
      returning id`;
    const mails = await until(
      () => h.mails(to),
      (list) => list.length > 0,
      20_000,
      'the mail to reach the mailbox',
    );
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({
      Subject: 'Password sign-in to your account is paused',
      Text: expect.stringContaining('Paused until 12:00 UTC.'),
    });
    // Marked once the server has accepted it, a moment after it arrives.
    const sent = await until(
      async () =>
        (
          await h.db.sql<{ sent_at: Date | null; attempts: number }[]>`
            select sent_at, attempts from private.mail_outbox where id = ${row?.id as string}`
        )[0],
      (r) => Boolean(r?.sent_at),
      10_000,
      'the mail to be marked sent',
    );
    expect(sent?.attempts).toBe(1);
  });
});
