import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReceivedMail, type SmtpSink, startSmtpSink } from '../../scripts/local/smtp-sink.ts';
import { mailJobId } from '../../shared/jobs/queues.ts';
import { createLogger } from '../../shared/log.ts';
import { MailSweep } from '../../worker/mail/sweep.ts';
import { type MailTransport, smtpTransport } from '../../worker/mail/transport.ts';
import { useTestDatabase } from '../helpers/db.ts';
import { until, useLlmServer, useWorker } from '../helpers/worker.ts';

// The mail queue end to end: a row in private.mail_outbox, the sweep that queues it, the
// worker's pg-boss consumer, nodemailer speaking SMTP to the local stack's sink.
const db = useTestDatabase();
const llm = useLlmServer();
const received: ReceivedMail[] = [];
let sink: SmtpSink;
let smtp: MailTransport | undefined;
// The sink's port is known only once it listens; the worker is built before that.
const transport: MailTransport = {
  send: (mail) => (smtp as MailTransport).send(mail),
  close: () => smtp?.close(),
};

beforeAll(async () => {
  sink = await startSmtpSink((mail) => received.push(mail));
  smtp = smtpTransport({ url: sink.url, from: 'Flutter Studio <no-reply@example.com>' });
});
afterAll(() => sink.stop());

// No sweep of its own during the tests: each test sweeps when it means to.
useWorker(db, llm, {
  env: { MAIL_SWEEP_INTERVAL_S: '3600' },
  options: { mailTransport: transport },
});

const sweep = () => new MailSweep({ db: db.sql, log: createLogger({ level: 'silent' }) }).sweep();

async function outbox(to: string, subject: string, body: string): Promise<number> {
  const [row] = await db.sql<{ id: string }[]>`
    insert into private.mail_outbox (to_email, subject, body)
    values (${to}, ${subject}, ${body}) returning id`;
  return Number(row?.id);
}

interface Row {
  sent_at: Date | null;
  attempts: number;
  last_error: string | null;
}
const rowOf = async (id: number) =>
  (
    await db.sql<Row[]>`select sent_at, attempts, last_error from private.mail_outbox
                        where id = ${id}`
  )[0] as Row;

const jobState = async (id: number) =>
  (await db.sql<{ state: string }[]>`select state from pgboss.job where id = ${mailJobId(id)}`)[0]
    ?.state;

describe('mail delivery', () => {
  it('delivers a mail written to the outbox once and marks it sent', async () => {
    // A long line and non-ASCII text: the transfer encoding must round-trip.
    const body = `Password sign-in is paused until 12:00 UTC — ${'details '.repeat(20)}\n\nBye.`;
    const id = await outbox('owner@example.com', 'Sign-in paused — your account', body);

    expect(await sweep()).toBe(1);
    // Found again while queued or running: the job id makes a second job impossible.
    expect(await sweep()).toBe(0);

    const row = await until(
      () => rowOf(id),
      (r) => r.sent_at !== null,
      15_000,
      'the mail to be marked sent',
    );
    expect(row).toMatchObject({ attempts: 1, last_error: null });
    const mine = received.filter((m) => m.to.includes('owner@example.com'));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      from: 'no-reply@example.com',
      to: ['owner@example.com'],
      subject: 'Sign-in paused — your account',
    });
    expect(mine[0]?.text.trimEnd()).toBe(body);
    // pg-boss settles the job once the handler returns; it fails the wait if it never does.
    await until(
      () => jobState(id),
      (s) => s === 'completed',
      15_000,
      'the job to complete',
    );

    // A sent row is never queued again.
    expect(await sweep()).toBe(0);
    expect(received.filter((m) => m.to.includes('owner@example.com'))).toHaveLength(1);
  });

  it('retries when the SMTP server refuses, keeping the mail until it is delivered', async () => {
    sink.refuseNext(1);
    const id = await outbox('retry@example.com', 'Paused', 'Your account is paused.');
    expect(await sweep()).toBe(1);

    // The refusal is recorded on the row and the job waits for its retry, mail unsent.
    await until(
      () => jobState(id),
      (s) => s === 'retry',
      15_000,
      'the job to be retried',
    );
    const failed = await rowOf(id);
    expect(failed.sent_at).toBeNull();
    expect(failed.attempts).toBe(1);
    expect(failed.last_error).toContain('451');
    expect(received.filter((m) => m.to.includes('retry@example.com'))).toHaveLength(0);
    // While it waits, the sweep does not queue it a second time.
    expect(await sweep()).toBe(0);

    // The backoff's time passes (pg-boss reads the database's clock, so the retry is moved
    // instead), and the next attempt delivers it.
    await db.sql`update pgboss.job set start_after = now() where id = ${mailJobId(id)}`;
    const row = await until(
      () => rowOf(id),
      (r) => r.sent_at !== null,
      15_000,
      'the retry to deliver the mail',
    );
    expect(row).toMatchObject({ attempts: 2, last_error: null });
    expect(received.filter((m) => m.to.includes('retry@example.com'))).toHaveLength(1);
  });
});
