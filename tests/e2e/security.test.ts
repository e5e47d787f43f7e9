import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { totp } from '../../scripts/emulators/auth/mfa/totp.ts';
import { DEMO_ANON_KEY } from '../../scripts/local/keys.ts';
import { asUser } from '../../shared/db/doors.ts';
import { appClient } from '../helpers/browser.ts';
import { PASSWORD } from '../helpers/people.ts';
import { useLocalStack } from '../helpers/stack.ts';

// The security review's two findings that reach across doors, replayed with supabase-js
// against `npm run dev`: GoTrue's own endpoints as well as the functions.
const h = useLocalStack({
  GOTRUE_MAILER_AUTOCONFIRM: 'true',
  INITIAL_ADMIN_EMAIL: 'root@example.com',
  INITIAL_ADMIN_PASSWORD: 'root-password-123',
  ADMIN_MFA_REQUIRED: 'true',
});

async function fn(name: string, path: string, init: { json?: unknown; token?: string } = {}) {
  const res = await fetch(`${h.stack.gatewayUrl}/functions/v1/${name}${path}`, {
    method: init.json === undefined ? 'GET' : 'POST',
    headers: {
      apikey: DEMO_ANON_KEY,
      authorization: `Bearer ${init.token ?? DEMO_ANON_KEY}`,
      'content-type': 'application/json',
    },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  return { status: res.status, body: await res.json() };
}

describe('an account whose password budget is spent', () => {
  it('stays paused through both doors, while magic links still work', async () => {
    // A small budget keeps this quick; tests/functions/auth/sign-in-budget.test.ts runs the
    // default 100 from 30 addresses.
    await h.db.sql`update private.sign_in_settings set password_budget = 10`;
    const email = `paused-${Date.now()}@example.com`;
    const supabase = appClient(h.stack.gatewayUrl);
    expect((await supabase.auth.signUp({ email, password: PASSWORD })).error).toBeNull();
    await supabase.auth.signOut();

    for (let i = 0; i < 10; i++) {
      const guess = await appClient(h.stack.gatewayUrl).auth.signInWithPassword({
        email,
        password: `guess-${i}`,
      });
      expect(guess.error?.code).toBe('invalid_credentials');
    }
    const gotrue = await appClient(h.stack.gatewayUrl).auth.signInWithPassword({
      email,
      password: PASSWORD,
    });
    expect(gotrue.error?.message).toMatch(/paused/);
    const viaFunction = await fn('auth', '/login', { json: { email, password: PASSWORD } });
    expect([viaFunction.status, viaFunction.body.code]).toEqual([429, 'rate_limited']);
    const link = await appClient(h.stack.gatewayUrl).auth.signInWithOtp({ email });
    expect(link.error).toBeNull();
  });
});

describe('an aal1 session of a user with a verified factor', () => {
  it('gets 403 insufficient_aal from admin routes, and nothing from the tables', async () => {
    const supabase = appClient(h.stack.gatewayUrl);
    const signedIn = await supabase.auth.signInWithPassword({
      email: 'root@example.com',
      password: 'root-password-123',
    });
    expect(signedIn.error).toBeNull();
    const enrolled = await supabase.auth.mfa.enroll({ factorType: 'totp' });
    const factor = enrolled.data!;
    const challenge = await supabase.auth.mfa.challenge({ factorId: factor.id });
    const verified = await supabase.auth.mfa.verify({
      factorId: factor.id,
      challengeId: challenge.data!.id,
      code: totp(factor.totp.secret),
    });
    expect(verified.error).toBeNull();
    await supabase.auth.signOut();

    const again = appClient(h.stack.gatewayUrl);
    const aal1 = (
      await again.auth.signInWithPassword({
        email: 'root@example.com',
        password: 'root-password-123',
      })
    ).data.session!;
    expect(decodeJwt(aal1.access_token).aal).toBe('aal1');
    for (const path of ['/users', '/audit-log', '/projects']) {
      const res = await fn('api', path, { token: aal1.access_token });
      expect([path, res.status, res.body.code]).toEqual([path, 403, 'insufficient_aal']);
    }
    // The tables answer the same session through RLS alone: its own profile, nothing else.
    const claims = decodeJwt(aal1.access_token) as { sub: string; role: 'authenticated' };
    const seen = await asUser(h.db.sql, claims, async (tx) => ({
      profiles: (await tx`select id from public.profiles`).length,
      roles: (await tx`select id from public.roles`).length,
      audit: (await tx`select id from public.audit_log`).length,
    }));
    expect(seen).toEqual({ profiles: 1, roles: 0, audit: 0 });
  });
});
