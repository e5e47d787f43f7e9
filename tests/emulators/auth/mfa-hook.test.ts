import type { SupabaseClient } from '@supabase/supabase-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { totp } from '../../../scripts/emulators/auth/mfa/totp.ts';
import { useAuthEmulator } from '../../helpers/auth-emulator.ts';
import { ManualClock } from '../../helpers/clock.ts';
import { PASSWORD } from '../../helpers/people.ts';

// The MFA Verification Attempt hook as GoTrue calls it, on every TOTP check.
const clock = new ManualClock();
const auth = useAuthEmulator(
  {
    GOTRUE_MAILER_AUTOCONFIRM: 'true',
    GOTRUE_HOOK_MFA_VERIFICATION_ATTEMPT_ENABLED: 'true',
    GOTRUE_HOOK_MFA_VERIFICATION_ATTEMPT_URI: 'pg-functions://postgres/public/mfa_hook',
  },
  { clock },
);

beforeAll(async () => {
  await auth.db.sql.unsafe(`
    create table public.mfa_hook_calls (at timestamptz default clock_timestamp(), input jsonb);
    create table public.mfa_hook_plan (factor_id uuid primary key, output jsonb not null);
    create function public.mfa_hook(event jsonb) returns jsonb language plpgsql as $$
    begin
      insert into public.mfa_hook_calls (input) values (event);
      return coalesce(
        (select output from public.mfa_hook_plan where factor_id = (event->>'factor_id')::uuid),
        '{"decision": "continue"}'::jsonb);
    end $$;
    grant insert, select on public.mfa_hook_calls, public.mfa_hook_plan to supabase_auth_admin;
    grant execute on function public.mfa_hook(jsonb) to supabase_auth_admin;
  `);
});

let n = 0;

async function enrolledUser() {
  const client = auth.client();
  const { data, error } = await client.auth.signUp({
    email: `mfahook${++n}-${Date.now()}@example.com`,
    password: PASSWORD,
  });
  expect(error).toBeNull();
  const factor = await client.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'Phone' });
  expect(factor.error).toBeNull();
  return {
    client,
    userId: data.user!.id,
    factorId: factor.data!.id,
    secret: factor.data!.totp.secret,
  };
}

async function attempt(client: SupabaseClient, factorId: string, code: string) {
  const challenge = await client.auth.mfa.challenge({ factorId });
  expect(challenge.error).toBeNull();
  return client.auth.mfa.verify({ factorId, challengeId: challenge.data!.id, code });
}

const calls = async (factorId: string) =>
  (
    await auth.db.sql<{ input: Record<string, unknown> }[]>`
      select input from public.mfa_hook_calls where input->>'factor_id' = ${factorId} order by at`
  ).map((r) => r.input);

const code = (secret: string) => totp(secret, clock.now() / 1000);
const wrong = (secret: string) => String((Number(code(secret)) + 1) % 1_000_000).padStart(6, '0');

describe('the MFA verification attempt hook', () => {
  it('sees every TOTP check with GoTrue’s input, then lets it proceed', async () => {
    const { client, userId, factorId, secret } = await enrolledUser();
    expect((await attempt(client, factorId, wrong(secret))).error).toMatchObject({
      status: 422,
      code: 'mfa_verification_failed',
    });
    expect((await attempt(client, factorId, code(secret))).error).toBeNull();
    expect(await calls(factorId)).toEqual([
      {
        metadata: {
          uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
          time: new Date(clock.now()).toISOString(),
          name: 'mfa-verification',
          ip_address: '127.0.0.1',
        },
        user_id: userId,
        factor_id: factorId,
        factor_type: 'totp',
        valid: false,
      },
      expect.objectContaining({ factor_id: factorId, valid: true }),
    ]);
  });

  it('on reject answers 403 mfa_verification_rejected and ends every session of the user', async () => {
    const { client, userId, factorId, secret } = await enrolledUser();
    await auth.db.sql`insert into public.mfa_hook_plan
                      values (${factorId}, '{"decision": "reject", "message": "Factor locked."}')`;
    expect((await attempt(client, factorId, code(secret))).error).toMatchObject({
      status: 403,
      code: 'mfa_verification_rejected',
      message: 'Factor locked.',
    });
    const [left] = await auth.db
      .sql`select count(*)::int as n from auth.sessions where user_id = ${userId}`;
    expect(left?.n).toBe(0);
  });

  it('uses GoTrue’s default message', async () => {
    const { client, factorId, secret } = await enrolledUser();
    await auth.db
      .sql`insert into public.mfa_hook_plan values (${factorId}, '{"decision": "reject"}')`;
    expect((await attempt(client, factorId, wrong(secret))).error).toMatchObject({
      status: 403,
      message: 'Further MFA verification attempts will be rejected.',
    });
  });

  it('is not called for a challenge that cannot be used', async () => {
    const { client, factorId, secret } = await enrolledUser();
    const challenge = await client.auth.mfa.challenge({ factorId });
    clock.advance(301_000);
    const late = await client.auth.mfa.verify({
      factorId,
      challengeId: challenge.data!.id,
      code: code(secret),
    });
    expect(late.error).toMatchObject({ status: 422, code: 'mfa_challenge_expired' });
    expect(await calls(factorId)).toEqual([]);
  });
});
