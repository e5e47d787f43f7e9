import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { asUser } from '../../../shared/db/doors.ts';
import { listUsers } from '../../../shared/identity/users.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { claimsOf, createAuthUser, grant, uniqueEmail } from './fixtures.ts';

const db = useTestDatabase();

/** The ids `listUsers` finds for `q`, as `viewer` sees them. */
const search = (viewer: string, q: string) =>
  asUser(db.sql, claimsOf(viewer), (tx) =>
    listUsers(tx, { q, sort: 'created_at', order: 'desc', limit: 100 }),
  ).then((rows) => rows.map((r) => r.id));

describe('user search', () => {
  it('follows an email change, and forgets a removed email', async () => {
    const admin = await createAuthUser(db.sql);
    await grant(db.sql, admin, 'admin');
    const before = uniqueEmail('before');
    const after = uniqueEmail('after');
    const user = await createAuthUser(db.sql, { email: before });

    expect(await search(admin, before)).toEqual([user]);
    await db.sql`update auth.users set email = ${after} where id = ${user}`;
    expect(await search(admin, before)).toEqual([]);
    expect(await search(admin, after.toUpperCase())).toEqual([user]);

    await db.sql`update auth.users set email = null where id = ${user}`;
    expect(await search(admin, after)).toEqual([]);
    const [copy] = await db.sql`select count(*)::int as n from private.user_email_search
                                 where id = ${user}`;
    expect(copy?.n).toBe(0);
  });

  it('goes with the user', async () => {
    const user = await createAuthUser(db.sql);
    await db.sql`delete from auth.users where id = ${user}`;
    const [copy] = await db.sql`select count(*)::int as n from private.user_email_search
                                 where id = ${user}`;
    expect(copy?.n).toBe(0);
  });

  it('shows a user without users:read only themselves, even through the search function', async () => {
    const tag = `peer${randomUUID().slice(0, 8)}`;
    const me = await createAuthUser(db.sql, { email: uniqueEmail(tag) });
    const other = await createAuthUser(db.sql, { email: uniqueEmail(tag) });

    expect(await search(me, tag)).toEqual([me]);
    const [direct] = await asUser(
      db.sql,
      claimsOf(me),
      (tx) => tx<{ ids: string[] }[]>`select private.user_ids_matching(${`%${tag}%`}) as ids`,
    );
    expect(direct?.ids).toEqual([me]);
    expect(direct?.ids).not.toContain(other);
  });
});
