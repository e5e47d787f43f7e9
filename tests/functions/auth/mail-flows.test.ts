import { describe, expect, it } from 'vitest';
import { useFunctions } from '../../helpers/functions.ts';
import { PASSWORD } from '../../helpers/people.ts';

// Confirmations stay on (config.toml): confirmed accounts are made with the admin API.
const fx = useFunctions();

let n = 0;
const email = (tag: string) => `${tag}${++n}-${Date.now()}@example.com`;
const mailbox = () => fx.auth.emulator.deps.mailbox;

async function confirmedUser(tag: string) {
  const address = email(tag);
  const { error } = await fx.auth
    .admin()
    .auth.admin.createUser({ email: address, password: PASSWORD, email_confirm: true });
  expect(error).toBeNull();
  return address;
}

async function unconfirmedUser(tag: string) {
  const address = email(tag);
  const res = await fx.call('auth', '/register', { json: { email: address, password: PASSWORD } });
  expect(res.status).toBe(201);
  return address;
}

/** The answers must be the same in status, headers that matter, and body. */
async function sameAnswer(...responses: Response[]) {
  const seen = await Promise.all(
    responses.map(async (r) => ({
      status: r.status,
      type: r.headers.get('content-type'),
      body: await r.text(),
    })),
  );
  for (const s of seen) expect(s).toEqual(seen[0]);
  expect(seen[0]?.status).toBe(202);
  expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ message: expect.any(String) });
}

async function auditActions(target: string) {
  const rows = await fx.auth.db.sql<{ action: string; metadata: Record<string, unknown> }[]>`
    select action, metadata from public.audit_log where target_id = ${target} order by id`;
  return rows;
}

const cases = [
  { path: '/password/reset', kind: 'recovery', action: 'auth.password_reset.requested' },
  { path: '/login/magic-link', kind: 'magiclink', action: 'auth.magic_link.requested' },
] as const;

describe.each(cases)('POST $path', ({ path, kind, action }) => {
  it('answers known and unknown addresses alike, and mails only the known one', async () => {
    const known = await confirmedUser('known');
    const unknown = email('unknown');
    const a = await fx.call('auth', path, { json: { email: known } });
    const b = await fx.call('auth', path, { json: { email: unknown } });
    await sameAnswer(a, b);

    const mail = mailbox().latest(known, kind);
    expect(mail?.link).toContain('/auth/v1/verify?');
    expect(mailbox().list(unknown)).toEqual([]);
    expect((await auditActions(known)).map((r) => r.action)).toEqual([action]);
    expect((await auditActions(unknown)).map((r) => r.action)).toEqual([action]);
  });

  it('mails a link that signs in with the implicit flow at the allowed redirect_to', async () => {
    const known = await confirmedUser('link');
    const redirectTo = 'http://127.0.0.1:3000/welcome';
    const res = await fx.call('auth', path, { json: { email: known, redirect_to: redirectTo } });
    expect(res.status).toBe(202);
    const link = mailbox().latest(known, kind)?.link ?? '';
    const landed = await fetch(link, { redirect: 'manual' });
    const location = new URL(landed.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(redirectTo);
    const fragment = new URLSearchParams(location.hash.slice(1));
    expect(fragment.get('access_token')).toMatch(/^eyJ/);
    expect(location.searchParams.get('code')).toBeNull();
  });

  it('validates the body with field paths', async () => {
    const res = await fx.call('auth', path, { json: { email: 'nope', redirect_to: 'not a url' } });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.code).toBe('validation_failed');
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'body.email',
      'body.redirect_to',
    ]);
  });
});

describe('POST /login/magic-link', () => {
  it('creates no account for an unknown address', async () => {
    const unknown = email('nobody');
    expect((await fx.call('auth', '/login/magic-link', { json: { email: unknown } })).status).toBe(
      202,
    );
    const rows = await fx.auth.db.sql`select 1 from auth.users where email = ${unknown}`;
    expect(rows).toHaveLength(0);
  });
});

describe('POST /verify/resend', () => {
  it('resends the sign-up confirmation to an unconfirmed account only', async () => {
    const pending = await unconfirmedUser('pending');
    const confirmed = await confirmedUser('confirmed');
    const unknown = email('ghost');
    expect(mailbox().list(pending)).toHaveLength(1);

    const a = await fx.call('auth', '/verify/resend', { json: { email: pending, type: 'signup' } });
    const b = await fx.call('auth', '/verify/resend', { json: { email: unknown, type: 'signup' } });
    const c = await fx.call('auth', '/verify/resend', {
      json: { email: confirmed, type: 'signup' },
    });
    await sameAnswer(a, b, c);

    expect(
      mailbox()
        .list(pending)
        .map((m) => m.kind),
    ).toEqual(['confirmation', 'confirmation']);
    expect(mailbox().list(unknown)).toEqual([]);
    expect(mailbox().list(confirmed)).toEqual([]);
    const [row] = await auditActions(pending);
    expect(row).toMatchObject({ action: 'auth.verification.resent', metadata: { type: 'signup' } });
  });

  it('resends the confirmation of a pending email change', async () => {
    const address = await confirmedUser('changer');
    const next = email('next');
    const client = fx.auth.client();
    await client.auth.signInWithPassword({ email: address, password: PASSWORD });
    expect((await client.auth.updateUser({ email: next })).error).toBeNull();
    const before = mailbox().list(next).length;

    const res = await fx.call('auth', '/verify/resend', {
      json: { email: address, type: 'email_change' },
    });
    expect(res.status).toBe(202);
    expect(mailbox().list(next)).toHaveLength(before + 1);
    expect(mailbox().latest(next)?.kind).toBe('email_change');
  });

  it('validates the type and the email', async () => {
    const res = await fx.call('auth', '/verify/resend', { json: { email: 'x', type: 'sms' } });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'body.email',
      'body.type',
    ]);
  });
});
