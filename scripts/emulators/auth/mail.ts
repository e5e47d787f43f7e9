import { randomUUID } from 'node:crypto';

export type MailKind =
  | 'confirmation'
  | 'magiclink'
  | 'recovery'
  | 'invite'
  | 'email_change'
  | 'reauthentication';

export interface Mail {
  id: string;
  to: string;
  from: string;
  subject: string;
  /** Auth's mail by its kind; `notice` for the system's own mail, received over SMTP. */
  kind: MailKind | 'notice';
  text: string;
  html: string;
  /** The verification link in the mail, when the kind has one. */
  link?: string;
  /** The one-time code in the mail. */
  otp: string;
  createdAt: string;
}

const SUBJECTS: Record<MailKind, string> = {
  confirmation: 'Confirm Your Signup',
  magiclink: 'Your Magic Link',
  recovery: 'Reset Your Password',
  invite: 'You have been invited',
  email_change: 'Confirm Email Change',
  reauthentication: 'Confirm reauthentication',
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * Where Auth mail goes locally: kept in memory, newest last, and served by the local stack
 * as a small mailbox (list and read), like the Inbucket that `supabase start` runs.
 */
export class Mailbox {
  private readonly mails: Mail[] = [];
  private readonly limit: number;

  constructor(limit = 500) {
    this.limit = limit;
  }

  send(input: { to: string; kind: MailKind; otp: string; link?: string }): Mail {
    const lines = [
      SUBJECTS[input.kind],
      input.link ? `Follow this link: ${input.link}` : '',
      `Or enter this code: ${input.otp}`,
    ].filter(Boolean);
    const mail: Mail = {
      id: randomUUID(),
      to: input.to.toLowerCase(),
      from: 'Supabase Auth <admin@email.local>',
      subject: SUBJECTS[input.kind],
      kind: input.kind,
      text: lines.join('\n\n'),
      html: `<h2>${SUBJECTS[input.kind]}</h2>${
        input.link ? `<p><a href="${escapeHtml(input.link)}">${escapeHtml(input.link)}</a></p>` : ''
      }<p>Or enter this code: <code>${input.otp}</code></p>`,
      link: input.link,
      otp: input.otp,
      createdAt: new Date().toISOString(),
    };
    this.keep(mail);
    return mail;
  }

  /** Keeps a mail that arrived by SMTP (the local stack's sink), one copy per recipient. */
  deliver(input: { from: string; to: string; subject: string; text: string }): Mail {
    const mail: Mail = {
      id: randomUUID(),
      to: input.to.toLowerCase(),
      from: input.from,
      subject: input.subject,
      kind: 'notice',
      text: input.text,
      html: `<pre>${escapeHtml(input.text)}</pre>`,
      otp: '',
      createdAt: new Date().toISOString(),
    };
    this.keep(mail);
    return mail;
  }

  private keep(mail: Mail): void {
    this.mails.push(mail);
    if (this.mails.length > this.limit) this.mails.shift();
  }

  list(to?: string): Mail[] {
    return to ? this.mails.filter((m) => m.to === to.toLowerCase()) : [...this.mails];
  }

  get(id: string): Mail | undefined {
    return this.mails.find((m) => m.id === id);
  }

  /** The newest mail to an address, optionally of one kind. */
  latest(to: string, kind?: MailKind): Mail | undefined {
    return this.list(to)
      .filter((m) => !kind || m.kind === kind)
      .at(-1);
  }

  clear(): void {
    this.mails.length = 0;
  }
}
