import { Hono } from 'hono';
import type { Mail, Mailbox } from './mail.ts';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** `Name <address>` → Mailpit's `{Name, Address}`. */
function address(value: string): { Name: string; Address: string } {
  const m = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(value);
  return m ? { Name: m[1] ?? '', Address: m[2] ?? '' } : { Name: '', Address: value.trim() };
}

const snippet = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 250);

const summary = (mail: Mail) => ({
  ID: mail.id,
  From: address(mail.from),
  To: [{ Name: '', Address: mail.to }],
  Subject: mail.subject,
  Created: mail.createdAt,
  Snippet: snippet(mail.text),
});

/** Only web links become anchors; anything else is shown as text. */
const linkHtml = (link: string | undefined) => {
  if (!link) return '';
  const safe = /^https?:\/\//i.test(link);
  return safe
    ? `<a href="${escapeHtml(link)}">${escapeHtml(link)}</a>`
    : `<code>${escapeHtml(link)}</code>`;
};

function page(mails: Mail[], to: string | undefined): string {
  const rows = mails
    .map(
      (m) => `<tr>
<td>${escapeHtml(new Date(m.createdAt).toLocaleString('en-GB'))}</td>
<td>${escapeHtml(m.to)}</td>
<td>${escapeHtml(m.subject)}</td>
<td><code>${escapeHtml(m.otp)}</code></td>
<td style="word-break:break-all">${linkHtml(m.link)}</td>
</tr>`,
    )
    .join('\n');
  const empty = `<tr><td colspan="5">No mail${to ? ` to ${escapeHtml(to)}` : ''} yet.</td></tr>`;
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Mailbox</title></head>
<body style="font-family:system-ui,sans-serif;margin:2rem">
<h1>Mailbox${to ? ` — ${escapeHtml(to)}` : ''}</h1>
<p>Mail the local Auth emulator sent, newest first. It lives in memory and is lost on restart.</p>
<form method="get"><label>To <input type="email" name="to" value="${escapeHtml(to ?? '')}"></label>
<button type="submit">Filter</button></form>
<table cellpadding="6" style="border-collapse:collapse;margin-top:1rem">
<thead><tr><th align="left">Sent</th><th align="left">To</th><th align="left">Subject</th><th align="left">Code</th><th align="left">Link</th></tr></thead>
<tbody>
${rows || empty}
</tbody>
</table>
</body>
</html>`;
}

/**
 * The local mailbox over HTTP, shaped like Mailpit's API (the mail catcher `supabase start`
 * runs), plus `Link` and `OTP` fields so scripts need not parse the body, and a small page
 * for people at `/mailbox`.
 *
 * @example
 * gateway.route('/', createMailboxApp(auth.deps.mailbox));
 */
export function createMailboxApp(mailbox: Mailbox): Hono {
  const app = new Hono();
  const newestFirst = (to?: string) => mailbox.list(to || undefined).reverse();

  app.get('/mailbox/api/v1/messages', (c) => {
    const mails = newestFirst(c.req.query('to'));
    return c.json({ total: mails.length, messages: mails.map(summary) });
  });

  app.delete('/mailbox/api/v1/messages', (c) => {
    mailbox.clear();
    return c.text('ok');
  });

  app.get('/mailbox/api/v1/message/:id', (c) => {
    const mail = mailbox.get(c.req.param('id'));
    if (!mail) return c.json({ error: 'message not found' }, 404);
    return c.json({
      ...summary(mail),
      Text: mail.text,
      HTML: mail.html,
      Link: mail.link ?? null,
      OTP: mail.otp,
    });
  });

  app.get('/mailbox', (c) => {
    const to = c.req.query('to') || undefined;
    c.header('cache-control', 'no-store');
    return c.html(page(newestFirst(to), to));
  });

  return app;
}
