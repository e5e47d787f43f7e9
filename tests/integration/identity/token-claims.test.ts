import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { useAuthEmulator } from '../../helpers/auth-emulator.ts';
import { PASSWORD } from '../../helpers/people.ts';
import { grant } from './fixtures.ts';

// The hook is enabled in supabase/config.toml, which the emulator reads.
const auth = useAuthEmulator({ GOTRUE_MAILER_AUTOCONFIRM: 'true' });

describe('access tokens through Supabase Auth (emulated) with the hook enabled', () => {
  it('carry roles and permissions next to every standard claim', async () => {
    const email = `claims-${Date.now()}@example.com`;
    const client = auth.client();
    const { data, error } = await client.auth.signUp({
      email,
      password: PASSWORD,
      options: { data: { username: 'claims_user', first_name: 'Cla' } },
    });
    expect(error).toBeNull();
    const claims = decodeJwt(data.session!.access_token);
    expect(claims).toMatchObject({
      sub: data.user!.id,
      role: 'authenticated',
      aal: 'aal1',
      session_id: expect.any(String),
      email,
      roles: ['user'],
      permissions: [],
    });

    const [profile] = await auth.db
      .sql`select username, first_name from public.profiles where id = ${data.user!.id}`;
    expect(profile).toEqual({ username: 'claims_user', first_name: 'Cla' });

    // A role granted later shows up in the next token, here from a fresh sign-in.
    await grant(auth.db.sql, data.user!.id, 'admin');
    const again = await auth.client().auth.signInWithPassword({ email, password: PASSWORD });
    expect(again.error).toBeNull();
    const next = decodeJwt(again.data.session!.access_token);
    expect(next.roles).toEqual(['admin', 'user']);
    expect(next.permissions).toContain('users:read');
  });
});
