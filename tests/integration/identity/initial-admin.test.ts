import { describe, expect, it, vi } from 'vitest';
import { ensureInitialAdmin } from '../../../shared/identity/initial-admin.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { gate, someoneBlocked } from '../../helpers/locks.ts';
import { createAuthUser } from './fixtures.ts';

const db = useTestDatabase();

const admins = () => db.sql`
  select ur.user_id from public.user_roles ur join public.roles r on r.id = ur.role_id
   where r.name = 'admin'`;

describe('ensureInitialAdmin', () => {
  it('creates exactly one admin when two start-ups race, and is idempotent', async () => {
    const creating = gate();
    const mayCreate = gate();
    const createUser = vi.fn(async (email: string) => {
      // Held mid-way, so the second start-up arrives while the first holds the lock.
      creating.open();
      await mayCreate.opened;
      return createAuthUser(db.sql, { email });
    });
    const opts = { email: 'root@example.com', password: 'a-long-password', createUser };
    const first = ensureInitialAdmin(db.sql, opts);
    await creating.opened;
    const second = ensureInitialAdmin(db.sql, opts);
    expect(await someoneBlocked(db.sql)).toBe('blocked');
    mayCreate.open();
    const [a, b] = await Promise.all([first, second]);
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
