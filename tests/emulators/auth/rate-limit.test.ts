import { createClient } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import { DEMO_ANON_KEY } from '../../../scripts/local/keys.ts';
import { SUPABASE_URL, useAuthEmulator } from '../../helpers/auth-emulator.ts';
import { ManualClock } from '../../helpers/clock.ts';
import { PASSWORD } from '../../helpers/people.ts';

// GoTrue's per-IP limit on POST /token: one token bucket per address for every grant but
// web3, 30 requests at once, refilled at GOTRUE_RATE_LIMIT_TOKEN_REFRESH per 5 minutes
// (150 here, as config.toml sets: one request every 2 s).
const clock = new ManualClock();
useAuthEmulator({ GOTRUE_MAILER_AUTOCONFIRM: 'true' }, { clock });

/** A client whose requests come from `ip`, as the gateway's X-Forwarded-For says. */
const from = (ip: string) =>
  createClient(SUPABASE_URL, DEMO_ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: { headers: { 'x-forwarded-for': ip } },
  });

describe('the per-IP limit on POST /token', () => {
  it('lets 30 requests through at once, then 429 over_request_rate_limit, across grants', async () => {
    const address = `limited-${Date.now()}@example.com`;
    const signUp = await from('198.51.100.1').auth.signUp({ email: address, password: PASSWORD });
    expect(signUp.error).toBeNull();
    const client = from('198.51.100.7');
    // Wrong passwords and refreshes spend the same bucket.
    for (let i = 0; i < 20; i++) {
      const { error } = await client.auth.signInWithPassword({ email: address, password: 'x' });
      expect(error).toMatchObject({ code: 'invalid_credentials' });
    }
    let refresh = signUp.data.session!.refresh_token;
    for (let i = 0; i < 10; i++) {
      const { data, error } = await client.auth.refreshSession({ refresh_token: refresh });
      expect(error).toBeNull();
      refresh = data.session!.refresh_token;
    }
    const limited = await client.auth.signInWithPassword({ email: address, password: PASSWORD });
    expect(limited.error).toMatchObject({ status: 429, code: 'over_request_rate_limit' });
    expect(limited.error?.message).toBe('Request rate limit reached');

    // Another address has its own bucket.
    const other = await from('198.51.100.8').auth.signInWithPassword({
      email: address,
      password: PASSWORD,
    });
    expect(other.error).toBeNull();

    // The bucket refills one request per 2 s.
    clock.advance(1_999);
    expect(
      (await client.auth.signInWithPassword({ email: address, password: PASSWORD })).error,
    ).toMatchObject({ status: 429 });
    clock.advance(1);
    expect(
      (await client.auth.signInWithPassword({ email: address, password: PASSWORD })).error,
    ).toBeNull();
  });
});
