import { describe, expect, it } from 'vitest';
import { useAuthEmulator } from '../../helpers/auth-emulator.ts';

const auth = useAuthEmulator({
  GOTRUE_MAILER_AUTOCONFIRM: 'true',
  GOTRUE_RATE_LIMIT_SIGN_IN_SIGN_UPS: '2',
});

describe('per-IP rate limits', () => {
  it('answers past the sign-in limit with 429 over_request_rate_limit, per client address', async () => {
    const client = auth.client();
    const address = `limited-${Date.now()}@example.com`;
    expect(
      (await client.auth.signUp({ email: address, password: 'a-long-password' })).error,
    ).toBeNull();
    expect(
      (await client.auth.signInWithPassword({ email: address, password: 'a-long-password' })).error,
    ).toBeNull();
    const third = await client.auth.signInWithPassword({
      email: address,
      password: 'a-long-password',
    });
    expect(third.error).toMatchObject({ status: 429, code: 'over_request_rate_limit' });
  });
});
