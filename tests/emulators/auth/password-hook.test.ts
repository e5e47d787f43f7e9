import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ANON_KEY } from '../../../scripts/local/keys.ts';
import { SUPABASE_URL, useAuthEmulator } from '../../helpers/auth-emulator.ts';
import { PASSWORD } from '../../helpers/people.ts';

// The Password Verification Attempt hook as GoTrue calls it: a test function records every
// input it gets and answers with the decision planned for that user.
const auth = useAuthEmulator({
  GOTRUE_MAILER_AUTOCONFIRM: 'true',
  GOTRUE_HOOK_PASSWORD_VERIFICATION_ATTEMPT_ENABLED: 'true',
  GOTRUE_HOOK_PASSWORD_VERIFICATION_ATTEMPT_URI: 'pg-functions://postgres/public/password_hook',
});

beforeAll(async () => {
  await auth.db.sql.unsafe(`
    create table public.password_hook_calls (at timestamptz default clock_timestamp(), input jsonb);
    create table public.password_hook_plan (user_id uuid primary key, output jsonb not null);
    create function public.password_hook(event jsonb) returns jsonb language plpgsql as $$
    begin
      insert into public.password_hook_calls (input) values (event);
      return coalesce(
        (select output from public.password_hook_plan where user_id = (event->>'user_id')::uuid),
        '{"decision": "continue"}'::jsonb);
    end $$;
    grant insert, select on public.password_hook_calls, public.password_hook_plan to supabase_auth_admin;
    grant execute on function public.password_hook(jsonb) to supabase_auth_admin;
  `);
});

let n = 0;
const email = () => `pwhook${++n}-${Date.now()}@example.com`;

async function account() {
  const address = email();
  const { data, error } = await auth.client().auth.signUp({ email: address, password: PASSWORD });
  expect(error).toBeNull();
  return { address, id: data.user!.id };
}

const signIn = (address: string, password = PASSWORD) =>
  auth.client().auth.signInWithPassword({ email: address, password });

async function calls(userId: string) {
  const rows = await auth.db.sql<{ input: Record<string, unknown> }[]>`
    select input from public.password_hook_calls where input->>'user_id' = ${userId} order by at`;
  return rows.map((r) => r.input);
}

const plan = (userId: string, output: Record<string, unknown>) =>
  auth.db
    .sql`insert into public.password_hook_plan values (${userId}, ${auth.db.sql.json(output as never)})
              on conflict (user_id) do update set output = excluded.output`;

const sessionCount = async (userId: string) =>
  (await auth.db.sql`select count(*)::int as n from auth.sessions where user_id = ${userId}`)[0]?.n;

describe('the password verification attempt hook', () => {
  it('sees every password check of a known user with GoTrue’s input, then lets it proceed', async () => {
    const { address, id } = await account();
    expect((await signIn(address, 'not-the-password')).error).toMatchObject({
      status: 400,
      code: 'invalid_credentials',
      message: 'Invalid login credentials',
    });
    expect((await signIn(address)).error).toBeNull();
    const seen = await calls(id);
    expect(seen).toEqual([
      {
        metadata: {
          uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
          time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
          name: 'password-verification',
          ip_address: '127.0.0.1',
        },
        user_id: id,
        valid: false,
      },
      expect.objectContaining({ user_id: id, valid: true }),
    ]);
  });

  it('is not called for an address without an account', async () => {
    const before = await auth.db.sql`select count(*)::int as n from public.password_hook_calls`;
    expect((await signIn(email())).error).toMatchObject({ code: 'invalid_credentials' });
    const after = await auth.db.sql`select count(*)::int as n from public.password_hook_calls`;
    expect(after[0]?.n).toBe(before[0]?.n);
  });

  it('on reject answers 400 invalid_credentials with the hook’s message and signs the user out when asked', async () => {
    const { address, id } = await account();
    expect(await sessionCount(id)).toBe(1);
    await plan(id, { decision: 'reject', message: 'Account paused.', should_logout_user: true });
    expect((await signIn(address)).error).toMatchObject({
      status: 400,
      code: 'invalid_credentials',
      message: 'Account paused.',
    });
    expect(await sessionCount(id)).toBe(0);
    // The hook still saw the right password, and what it recorded stayed.
    expect((await calls(id)).at(-1)).toMatchObject({ valid: true });
  });

  it('uses GoTrue’s default message, and keeps sessions unless asked to end them', async () => {
    const { address, id } = await account();
    await plan(id, { decision: 'reject' });
    expect((await signIn(address, 'wrong-guess-123')).error).toMatchObject({
      status: 400,
      code: 'invalid_credentials',
      message: 'Further password verification attempts will be rejected.',
    });
    expect(await sessionCount(id)).toBe(1);
  });

  it('passes on an error object from the hook, as GoTrue does', async () => {
    const { address, id } = await account();
    await plan(id, { error: { http_code: 429, message: 'Slow down.' } });
    const res = await fetch(`${SUPABASE_URL}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: {
        apikey: DEMO_ANON_KEY,
        'content-type': 'application/json',
        'x-supabase-api-version': '2024-01-01',
      },
      body: JSON.stringify({ email: address, password: PASSWORD }),
    });
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({ code: 'unknown', message: 'Slow down.' });
  });

  it('answers 500 when the hook output cannot be read', async () => {
    const { address, id } = await account();
    await plan(id, { decision: 1 });
    expect((await signIn(address)).error).toMatchObject({ status: 500 });
  });
});
