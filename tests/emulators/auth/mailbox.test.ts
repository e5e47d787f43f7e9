import { describe, expect, it } from 'vitest';
import { Mailbox } from '../../../scripts/emulators/auth/mail.ts';
import { createMailboxApp } from '../../../scripts/emulators/auth/mailbox-app.ts';
import { useAuthEmulator } from '../../helpers/auth-emulator.ts';

const auth = useAuthEmulator();

let n = 0;
const email = () => `mailbox${++n}-${Date.now()}@example.com`;

interface Summary {
  ID: string;
  From: { Name: string; Address: string };
  To: { Address: string }[];
  Subject: string;
  Created: string;
  Snippet: string;
}

describe('mailbox API', () => {
  it('lists the mail Auth sent to an address, newest first, and reads one', async () => {
    const address = email();
    await auth.client().auth.signUp({ email: address, password: 'correct-horse-battery' });
    await auth.client().auth.resend({ type: 'signup', email: address });
    const app = createMailboxApp(auth.emulator.deps.mailbox);

    const res = await app.request(`/mailbox/api/v1/messages?to=${encodeURIComponent(address)}`);
    expect(res.status).toBe(200);
    const list = (await res.json()) as { total: number; messages: Summary[] };
    expect(list.total).toBe(2);
    const [newest, oldest] = list.messages as [Summary, Summary];
    expect(newest).toMatchObject({
      From: { Name: 'Supabase Auth', Address: 'admin@email.local' },
      To: [{ Address: address }],
      Subject: 'Confirm Your Signup',
    });
    expect(Date.parse(newest.Created)).toBeGreaterThanOrEqual(Date.parse(oldest.Created));
    expect(newest.ID).toBe(auth.emulator.deps.mailbox.latest(address)?.id);

    const one = await app.request(`/mailbox/api/v1/message/${newest.ID}`);
    const mail = (await one.json()) as Record<string, string>;
    expect(mail).toMatchObject({ ID: newest.ID, Subject: 'Confirm Your Signup' });
    expect(mail.OTP).toMatch(/^\d{6}$/);
    expect(mail.Link).toContain('/auth/v1/verify?token=');
    expect(mail.Text).toContain(mail.OTP);
    expect(mail.HTML).toContain('<a href=');
  });

  it('answers 404 for an unknown message, and clears', async () => {
    const mailbox = new Mailbox();
    mailbox.send({
      to: 'a@example.com',
      kind: 'magiclink',
      otp: '123456',
      link: 'http://x.test/v',
    });
    const app = createMailboxApp(mailbox);
    const missing = await app.request('/mailbox/api/v1/message/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'message not found' });

    expect((await app.request('/mailbox/api/v1/messages', { method: 'DELETE' })).status).toBe(200);
    const after = await app.request('/mailbox/api/v1/messages');
    expect(await after.json()).toEqual({ total: 0, messages: [] });
  });

  it('shows a page with links and codes, escaping what it shows', async () => {
    const mailbox = new Mailbox();
    mailbox.send({
      to: '"<img src=x onerror=alert(1)>"@example.com',
      kind: 'recovery',
      otp: '654321',
      link: 'http://supabase.test/auth/v1/verify?token=abc&type=recovery',
    });
    mailbox.send({
      to: 'b@example.com',
      kind: 'magiclink',
      otp: '111111',
      link: 'javascript:alert(1)',
    });
    const res = await createMailboxApp(mailbox).request('/mailbox');
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('654321');
    expect(html).toContain(
      'href="http://supabase.test/auth/v1/verify?token=abc&#38;type=recovery"',
    );
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('href="javascript:');

    const filtered = await createMailboxApp(mailbox).request('/mailbox?to=b@example.com');
    const page = await filtered.text();
    expect(page).toContain('111111');
    expect(page).not.toContain('654321');
  });
});
