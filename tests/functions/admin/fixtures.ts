import { expect } from 'vitest';
import { totp } from '../../../scripts/emulators/auth/mfa/totp.ts';
import type { Clock } from '../../../shared/clock.ts';
import type { FunctionsHarness } from '../../helpers/functions.ts';
import { PASSWORD } from '../../helpers/people.ts';
import { fixtures, type TestUser } from '../api/fixtures.ts';

/** A signed-in user with their second factor verified: the token is at aal2. */
export interface Aal2User extends TestUser {
  factorSecret: string;
}

/** Admin fixtures over one harness: admins at aal1 and aal2, and calls to the admin function. */
export function adminFixtures(fx: FunctionsHarness, clock?: Clock) {
  const base = fixtures(fx);

  /** Grants `role` in SQL; the next sign-in carries it. */
  async function grantRole(user: TestUser, role: string) {
    await fx.auth.db.sql`
      insert into public.user_roles (user_id, role_id)
      select ${user.id}, id from public.roles where name = ${role} on conflict do nothing`;
  }

  /** Enrols TOTP through supabase-js against the Auth emulator and verifies a code. */
  async function toAal2(user: TestUser): Promise<Aal2User> {
    const client = fx.auth.client();
    const signIn = await client.auth.signInWithPassword({ email: user.email, password: PASSWORD });
    expect(signIn.error).toBeNull();
    const { data: factor, error } = await client.auth.mfa.enroll({ factorType: 'totp' });
    expect(error).toBeNull();
    const at = (clock ?? { now: () => Date.now() }).now() / 1000;
    const verified = await client.auth.mfa.challengeAndVerify({
      factorId: factor!.id,
      code: totp(factor!.totp.secret, at),
    });
    expect(verified.error).toBeNull();
    const token = verified.data!.access_token;
    return { ...user, token, factorSecret: factor!.totp.secret };
  }

  /** An admin whose token is at aal2 (the only way through the destructive routes). */
  async function adminAal2(): Promise<Aal2User> {
    return toAal2(await base.admin());
  }

  /** Calls the admin function and returns status and parsed body. */
  async function adminApi(
    path: string,
    init: { token?: string; method?: string; json?: unknown } = {},
  ) {
    const res = await fx.call('admin', path, init);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  }

  /** The id of a role by name, read as the superuser. */
  async function roleId(name: string): Promise<string> {
    const [row] = await fx.auth.db.sql<{ id: string }[]>`
      select id from public.roles where name = ${name}`;
    return row!.id;
  }

  /** The id of a permission by name, read as the superuser. */
  async function permissionId(name: string): Promise<string> {
    const [row] = await fx.auth.db.sql<{ id: string }[]>`
      select id from public.permissions where name = ${name}`;
    return row!.id;
  }

  /** The audit events about a target, oldest first. */
  async function auditOf(targetId: string) {
    return fx.auth.db.sql<
      { action: string; actor_id: string; metadata: Record<string, unknown> }[]
    >`
      select action, actor_id, metadata from public.audit_log
       where target_id = ${targetId} order by id`;
  }

  return { ...base, grantRole, toAal2, adminAal2, adminApi, roleId, permissionId, auditOf };
}
