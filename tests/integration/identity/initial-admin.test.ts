import { describe, expect, it, vi } from 'vitest';
import { ensureInitialAdmin } from '../../../shared/identity/initial-admin.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { createAuthUser } from './fixtures.ts';

const db = useTestDatabase();

const admins = () => db.sql`
  select ur.user_id from public.user_roles ur join public.roles r on r.id = ur.role_id
   where r.name = 'admin'`;

describe('ensureInitialAdmin', () => {
  it('creates exactly one admin when two start-ups race, and is idempotent', async () => {
    const createUser = vi.fn(async (email: string) => {
      // Slow on purpose, so the second caller arrives while the first is mid-way.
      await new Promise((r) => setTimeout(r, 100));
      return createAuthUser(db.sql, { email });
    });
    const opts = { email: 'root@example.com', password: 'a-long-password', createUser };
    const [a, b] = await Promise.all([
      ensureInitialAdmin(db.sql, opts),
      ensureInitialAdmin(db.sql, opts),
    ]);
    expect(createUser).toHaveBeenCalledTimes(1);
    expect([a.status, b.status].sort()).toEqual(['created', 'exists']);
    expect(a.userId).toBe(b.userId);
    expect((await admins()).map((r) => r.user_id)).toEqual([a.userId]);

    const again = await ensureInitialAdmin(db.sql, opts);
    expect(again).toEqual({ status: 'exists', userId: a.userId });
    expect(createUser).toHaveBeenCalledTimes(1);
  });
});

describe('ensureInitialAdmin with an existing auth user', () => {
  const other = useTestDatabase();

  it('grants admin to the user with that email instead of creating one', async () => {
    const id = await createAuthUser(other.sql, { email: 'ops@example.com' });
    const createUser = vi.fn(async () => 'never');
    const result = await ensureInitialAdmin(other.sql, {
      email: 'OPS@example.com',
      password: 'unused-password',
      createUser,
    });
    expect(result).toEqual({ status: 'granted', userId: id });
    expect(createUser).not.toHaveBeenCalled();
  });
});
