import { beforeAll, describe, expect, it } from 'vitest';
import { useAuthEmulator } from '../../helpers/auth-emulator.ts';

// A hook that drops the required `aal` claim: Supabase Auth refuses to issue such a token.
const auth = useAuthEmulator({
  GOTRUE_MAILER_AUTOCONFIRM: 'true',
  GOTRUE_HOOK_CUSTOM_ACCESS_TOKEN_ENABLED: 'true',
  GOTRUE_HOOK_CUSTOM_ACCESS_TOKEN_URI: 'pg-functions://postgres/public/broken_token_hook',
});

beforeAll(async () => {
  await auth.db.sql`
    create function public.broken_token_hook(event jsonb) returns jsonb language sql stable as $$
      select jsonb_build_object('claims', (event -> 'claims') - 'aal')
    $$`;
  await auth.db
    .sql`grant execute on function public.broken_token_hook(jsonb) to supabase_auth_admin`;
});

describe('the custom access token hook', () => {
  it('refuses to issue a token when the hook drops a required claim', async () => {
    const address = `hook-${Date.now()}@example.com`;
    const { data, error } = await auth
      .client()
      .auth.signUp({ email: address, password: 'a-long-password' });
    expect(error).toMatchObject({ status: 500 });
    expect(data.session).toBeNull();
    // The whole sign-up rolled back with the refused token: no half-made user or session.
    const [row] = await auth.db
      .sql`select count(*)::int as n from auth.users where email = ${address}`;
    expect(row?.n).toBe(0);
  });
});
