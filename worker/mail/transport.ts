import { createTransport } from 'nodemailer';

/** A message as the outbox holds it: plain text to one address. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

/** Where delivered mail goes. SMTP in production; tests may pass any implementation. */
export interface MailTransport {
  /** Resolves once the server accepted the message; rejects with the server's reason. */
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export interface SmtpOptions {
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`. */
  url: string;
  /** The From header, e.g. `Flutter Studio <no-reply@example.com>`. */
  from: string;
  /** Per SMTP step (connect, greeting, each reply); default 30 s. */
  timeoutMs?: number;
}

/**
 * An SMTP transport with nodemailer: one connection per message (mail is rare: lockout
 * notices), bounded by timeouts so a server that hangs fails the attempt instead of holding
 * the job until it expires.
 *
 * @example
 * const transport = smtpTransport({ url: 'smtp://127.0.0.1:2525', from: 'App <no-reply@app>' });
 * await transport.send({ to: 'a@example.com', subject: 'Hi', text: 'Hello' });
 */
export function smtpTransport(opts: SmtpOptions): MailTransport {
  const timeout = opts.timeoutMs ?? 30_000;
  const mailer = createTransport(
    // Host, port, credentials and TLS come from the URL.
    {
      url: opts.url,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    },
    { from: opts.from },
  );
  return {
    async send(mail) {
      const info = await mailer.sendMail({ to: mail.to, subject: mail.subject, text: mail.text });
      // A server may accept the message yet refuse its only recipient.
      if (info.rejected.length > 0 || info.accepted.length === 0) {
        throw new Error(`The SMTP server refused the recipient: ${info.response}`);
      }
    },
    close() {
      mailer.close();
    },
  };
}
