import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useFunctions } from '../../helpers/functions.ts';
import { PASSWORD } from '../../helpers/people.ts';

// Confirmation on, as in supabase/config.toml: a sign-up never gets a session at once.
const fx = useFunctions();

const register = (email: string) =>
  fx.call('auth', '/register', { json: { email, password: PASSWORD, first_name: 'Ada' } });

/** The shape of a JSON value: its keys and the types of its leaves. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]));
  return value === null ? 'null' : typeof value;
}

describe('POST /register does not tell who has an account', () => {
  it('answers a new and an existing confirmed address alike, with no real data', async () => {
    const taken = `taken-${randomUUID().slice(0, 8)}@example.com`;
    expect((await register(taken)).status).toBe(201);
    const [real] = await fx.auth.db.sql<{ id: string }[]>`
      update auth.users set email_confirmed_at = now() - interval '3 days',
                            last_sign_in_at = now() - interval '1 day'
       where email = ${taken} returning id`;

    const existing = await register(taken);
    const fresh = await register(`new-${randomUUID().slice(0, 8)}@example.com`);
    expect(existing.status).toBe(fresh.status);
    const a = await existing.json();
    const b = await fresh.json();
    expect(shape(a)).toEqual(shape(b));
    expect(a.user).toMatchObject({ email: taken, email_confirmed_at: null, last_sign_in_at: null });
    expect(a.user.id).not.toBe(real?.id);
    expect(a).toMatchObject({ session: null, confirmation_required: true });
  });

  it('is what Auth itself answers too: no confirmation or sign-in time for an existing address', async () => {
    const taken = `taken-${randomUUID().slice(0, 8)}@example.com`;
    await fx.auth
      .admin()
      .auth.admin.createUser({ email: taken, password: PASSWORD, email_confirm: true });
    const { data, error } = await fx.auth
      .client()
      .auth.signUp({ email: taken, password: PASSWORD });
    expect(error).toBeNull();
    expect(data.session).toBeNull();
    expect(data.user).toMatchObject({ email: taken, identities: [] });
    expect(data.user?.email_confirmed_at ?? null).toBeNull();
    expect(data.user?.last_sign_in_at ?? null).toBeNull();
  });
});
