import { beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../../shared/db/client.ts';
import { asService, asUser, type DbClaims } from '../../../shared/db/doors.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { claimsOf, createAuthUser, grant, pgError, uniqueEmail } from '../identity/fixtures.ts';
import { ANON, createWorld, DENIED, probe, type World } from './fixtures.ts';

const db = useTestDatabase();
let w: World;

beforeAll(async () => {
  w = await createWorld(db.sql);
});

const ACTORS = ['owner', 'editor', 'viewer', 'stranger', 'admin', 'anon'] as const;
type Actor = (typeof ACTORS)[number];
type Op = 'select' | 'insert' | 'update' | 'delete';
type Table = 'projects' | 'project_members' | 'code_generations' | 'project_messages';
/** Rows seen (select) or affected (the rest), or the SQLSTATE raised. */
type Outcome = number | string;

const claimsFor = (actor: Actor): DbClaims => (actor === 'anon' ? ANON : claimsOf(w[actor]));

/** One statement per table and operation, each aimed at the World's shared project. */
const STATEMENTS: Record<Table, Record<Op, (tx: Tx) => Promise<number>>> = {
  projects: {
    select: async (tx) => (await tx`select id from public.projects where id = ${w.project}`).length,
    insert: async (tx) =>
      (
        await tx`insert into public.projects (owner_id, name)
                 values ((select auth.uid()), 'Mine') returning id`
      ).length,
    update: async (tx) =>
      (await tx`update public.projects set name = 'Renamed' where id = ${w.project}`).count,
    delete: async (tx) => (await tx`delete from public.projects where id = ${w.project}`).count,
  },
  project_members: {
    select: async (tx) =>
      (await tx`select user_id from public.project_members where project_id = ${w.project}`).length,
    insert: async (tx) =>
      (
        await tx`insert into public.project_members (project_id, user_id, role)
                 values (${w.project}, ${w.newcomer}, 'viewer') returning user_id`
      ).length,
    // The viewer's row: for the viewer this is raising their own role.
    update: async (tx) =>
      (
        await tx`update public.project_members set role = 'editor'
                  where project_id = ${w.project} and user_id = ${w.viewer}`
      ).count,
    // The viewer's row: for the viewer this is leaving the project, which members may do.
    delete: async (tx) =>
      (
        await tx`delete from public.project_members
                  where project_id = ${w.project} and user_id = ${w.viewer}`
      ).count,
  },
  code_generations: {
    select: async (tx) =>
      (await tx`select id from public.code_generations where project_id = ${w.project}`).length,
    insert: async (tx) =>
      (
        await tx`insert into public.code_generations (project_id, prompt)
                 values (${w.project}, 'Add dark mode') returning id`
      ).length,
    update: async (tx) =>
      (
        await tx`update public.code_generations set status = 'running', started_at = now()
                  where id = ${w.generation}`
      ).count,
    delete: async (tx) =>
      (await tx`delete from public.code_generations where id = ${w.generation}`).count,
  },
  project_messages: {
    select: async (tx) =>
      (await tx`select id from public.project_messages where project_id = ${w.project}`).length,
    insert: async (tx) =>
      (
        await tx`insert into public.project_messages (project_id, author_kind, content)
                 values (${w.project}, 'user', 'Hello') returning id`
      ).length,
    update: async (tx) =>
      (await tx`update public.project_messages set content = 'Edited' where id = ${w.message}`)
        .count,
    delete: async (tx) =>
      (await tx`delete from public.project_messages where id = ${w.message}`).count,
  },
};

const D = DENIED;
const row = (
  owner: Outcome,
  editor: Outcome,
  viewer: Outcome,
  stranger: Outcome,
  admin: Outcome,
  anon: Outcome,
): Record<Actor, Outcome> => ({ owner, editor, viewer, stranger, admin, anon });

/**
 * What must happen, per table, operation and actor. Admins (projects:read_all/write_all) see
 * and manage every project but never write as a member would; a project's history
 * (generations, messages) is its members' alone, so an admin who is not one neither reads
 * nor deletes it (projects:read_history reads it; see below). The worker writes generations.
 */
const MATRIX: Record<Table, Record<Op, Record<Actor, Outcome>>> = {
  projects: {
    select: row(1, 1, 1, 0, 1, D),
    insert: row(1, 1, 1, 1, 1, D),
    update: row(1, 0, 0, 0, 1, D),
    delete: row(1, 0, 0, 0, 1, D),
  },
  project_members: {
    select: row(3, 3, 3, 0, 3, D),
    insert: row(1, D, D, D, 1, D),
    update: row(1, 0, 0, 0, 1, D),
    delete: row(1, 0, 1, 0, 1, D),
  },
  code_generations: {
    select: row(1, 1, 1, 0, 0, D),
    insert: row(1, 1, D, D, D, D),
    update: row(D, D, D, D, D, D),
    delete: row(1, 0, 0, 0, 0, D),
  },
  project_messages: {
    select: row(1, 1, 1, 0, 0, D),
    insert: row(1, 1, D, D, D, D),
    update: row(D, D, D, D, D, D),
    delete: row(1, 0, 0, 0, 0, D),
  },
};

const CELLS = Object.entries(MATRIX).flatMap(([table, ops]) =>
  Object.entries(ops).map(([op, expected]) => ({ table: table as Table, op: op as Op, expected })),
);

describe('the RLS matrix (every table x operation x actor, straight on the database)', () => {
  it.each(CELLS)('$table $op', async ({ table, op, expected }) => {
    const actual: Record<string, Outcome> = {};
    for (const actor of ACTORS) {
      actual[actor] = await probe(db.sql, claimsFor(actor), STATEMENTS[table][op]);
    }
    expect(actual).toEqual(expected);
  });

  it('left the World untouched (every probe rolled back)', async () => {
    const [counts] = await db.sql`
      select (select count(*) from public.project_members where project_id = ${w.project})::int as members,
             (select count(*) from public.code_generations where project_id = ${w.project})::int as generations,
             (select count(*) from public.project_messages where project_id = ${w.project})::int as messages`;
    expect(counts).toEqual({ members: 3, generations: 1, messages: 1 });
  });
});

describe("another project's history", () => {
  it('is readable with projects:read_history, which no seeded role holds', async () => {
    const [held] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from public.role_permissions rp
        join public.permissions p on p.id = rp.permission_id
       where p.name = 'projects:read_history'`;
    expect(held?.n).toBe(0);
    await db.sql`insert into public.roles (name, description) values ('historian', 'Reads history')`;
    await db.sql`
      insert into public.role_permissions (role_id, permission_id)
      select r.id, p.id from public.roles r, public.permissions p
       where r.name = 'historian' and p.name = 'projects:read_history'`;
    await grant(db.sql, w.stranger, 'historian');
    const read = (table: 'code_generations' | 'project_messages') =>
      probe(db.sql, claimsFor('stranger'), STATEMENTS[table].select);
    expect([await read('code_generations'), await read('project_messages')]).toEqual([1, 1]);
    await db.sql`delete from public.user_roles where user_id = ${w.stranger}`;
  });
});

describe('sharing guards', () => {
  const as = (actor: Actor, fn: (tx: Tx) => Promise<number>) => probe(db.sql, claimsFor(actor), fn);
  const setRole = (user: string, role: string) => (tx: Tx) =>
    tx`update public.project_members set role = ${role}::public.project_role
        where project_id = ${w.project} and user_id = ${user}`.then((r) => r.count);
  const share = (role: string) => (tx: Tx) =>
    tx`insert into public.project_members (project_id, user_id, role)
       values (${w.project}, ${w.newcomer}, ${role}::public.project_role)`.then((r) => r.count);

  it('a viewer cannot add members or raise their own role', async () => {
    expect(await as('viewer', share('viewer'))).toBe(D);
    expect(await as('viewer', setRole(w.viewer, 'editor'))).toBe(0);
    expect(await as('viewer', setRole(w.viewer, 'owner'))).toBe(0);
    const [me] = await asUser(
      db.sql,
      claimsOf(w.viewer),
      (tx) => tx`select private.project_role(${w.project}) as role`,
    );
    expect(me?.role).toBe('viewer');
  });

  it('an editor cannot share, change roles or remove others', async () => {
    expect(await as('editor', share('viewer'))).toBe(D);
    expect(await as('editor', share('editor'))).toBe(D);
    expect(await as('editor', setRole(w.viewer, 'editor'))).toBe(0);
    expect(await as('editor', setRole(w.editor, 'owner'))).toBe(0);
    expect(
      await as('editor', (tx) =>
        tx`delete from public.project_members where project_id = ${w.project} and user_id <> ${w.editor}`.then(
          (r) => r.count,
        ),
      ),
    ).toBe(0);
  });

  it('the owner cannot demote or remove themselves, nor make anyone owner outside a transfer', async () => {
    expect(await as('owner', setRole(w.owner, 'editor'))).toBe(0);
    expect(
      await as('owner', (tx) =>
        tx`delete from public.project_members where project_id = ${w.project} and user_id = ${w.owner}`.then(
          (r) => r.count,
        ),
      ),
    ).toBe(0);
    expect(await as('owner', setRole(w.editor, 'owner'))).toBe(D);
    expect(await as('owner', share('owner'))).toBe(D);
    expect(
      await as('owner', (tx) =>
        tx`update public.projects set owner_id = ${w.editor} where id = ${w.project}`.then(
          (r) => r.count,
        ),
      ),
    ).toBe(D);
  });

  it('refuses forged authorship: someone else as owner, sharer, requester or author', async () => {
    const forged: Array<[Actor, (tx: Tx) => Promise<unknown>]> = [
      [
        'stranger',
        (tx) => tx`insert into public.projects (owner_id, name) values (${w.owner}, 'Yours')`,
      ],
      [
        'owner',
        (tx) => tx`insert into public.project_members (project_id, user_id, role, added_by)
                   values (${w.project}, ${w.newcomer}, 'viewer', ${w.editor})`,
      ],
      [
        'editor',
        (tx) => tx`insert into public.code_generations (project_id, prompt, requested_by)
                   values (${w.project}, 'x', ${w.owner})`,
      ],
      [
        'editor',
        (tx) => tx`insert into public.code_generations (project_id, prompt, status)
                   values (${w.project}, 'x', 'succeeded')`,
      ],
      [
        'editor',
        (tx) => tx`insert into public.code_generations (project_id, prompt, result)
                   values (${w.project}, 'x', '{"files":[]}')`,
      ],
      [
        'editor',
        (tx) => tx`insert into public.project_messages (project_id, author_kind, content)
                   values (${w.project}, 'assistant', 'I am the model')`,
      ],
      [
        'editor',
        (tx) => tx`insert into public.project_messages (project_id, author_kind, content, author_id)
                   values (${w.project}, 'user', 'Signed by the owner', ${w.owner})`,
      ],
      [
        'owner',
        (
          tx,
        ) => tx`insert into public.project_messages (project_id, author_kind, content, created_at)
                   values (${w.project}, 'user', 'Backdated', '2000-01-01')`,
      ],
    ];
    for (const [actor, fn] of forged) {
      expect(await as(actor, (tx) => fn(tx).then(() => 1))).toBe(D);
    }
  });

  it("keeps a message from pointing at another project's generation", async () => {
    const other = await createWorld(db.sql);
    expect(
      await as('editor', (tx) =>
        tx`insert into public.project_messages (project_id, generation_id, author_kind, content)
           values (${w.project}, ${other.generation}, 'user', 'Cross-link')`.then((r) => r.count),
      ),
    ).toBe('23514');
  });
});

describe('generation status belongs to the worker', () => {
  it('authenticated cannot update it, not even the owner; service_role can', async () => {
    for (const actor of ['owner', 'editor'] as const) {
      const code = await pgError(() =>
        asUser(
          db.sql,
          claimsOf(w[actor]),
          (tx) =>
            tx`update public.code_generations set status = 'cancelled' where id = ${w.generation}`,
        ),
      );
      expect(code).toBe(D);
    }
    const id = await createWorld(db.sql).then((x) => x.generation);
    await asService(db.sql, async (tx) => {
      const started =
        await tx`update public.code_generations set status = 'running', started_at = now()
                                where id = ${id}`;
      expect(started.count).toBe(1);
      const [done] = await tx`
        update public.code_generations
           set status = 'succeeded', finished_at = now(), result = '{"files":["lib/main.dart"]}'
         where id = ${id} returning status, result`;
      expect(done).toEqual({ status: 'succeeded', result: { files: ['lib/main.dart'] } });
    });
  });

  it('keeps the timestamps in order', async () => {
    const code = await pgError(() =>
      asService(
        db.sql,
        (tx) =>
          tx`update public.code_generations set started_at = queued_at - interval '1 minute'
            where id = ${w.generation}`,
      ),
    );
    expect(code).toBe('23514');
  });
});

describe('ownership transfer', () => {
  const transfer = (caller: string, project: string, to: string) =>
    asUser(
      db.sql,
      claimsOf(caller),
      (tx) => tx`select private.transfer_project(${project}, ${to})`,
    );
  const roles = async (project: string) => {
    const [p] = await db.sql`select owner_id from public.projects where id = ${project}`;
    const members = await db.sql`
      select user_id, role from public.project_members where project_id = ${project}`;
    return {
      ownerId: p?.owner_id,
      roles: Object.fromEntries(members.map((m) => [m.user_id, m.role])),
    };
  };

  it('fails for an editor, a viewer and a stranger, and for a non-member as new owner', async () => {
    const x = await createWorld(db.sql);
    expect(await pgError(() => transfer(x.editor, x.project, x.editor))).toBe(D);
    expect(await pgError(() => transfer(x.viewer, x.project, x.viewer))).toBe(D);
    expect(await pgError(() => transfer(x.stranger, x.project, x.stranger))).toBe(D);
    expect(await pgError(() => transfer(x.owner, x.project, x.newcomer))).toBe('22023');
    expect((await roles(x.project)).ownerId).toBe(x.owner);
  });

  it('by the owner: the new owner is owner, the old one editor, owner_id follows', async () => {
    const x = await createWorld(db.sql);
    await transfer(x.owner, x.project, x.viewer);
    expect(await roles(x.project)).toEqual({
      ownerId: x.viewer,
      roles: { [x.owner]: 'editor', [x.editor]: 'editor', [x.viewer]: 'owner' },
    });
    // The former owner is now just an editor: no more sharing or deleting.
    expect(await pgError(() => transfer(x.owner, x.project, x.owner))).toBe(D);
    const deleted = await asUser(
      db.sql,
      claimsOf(x.owner),
      (tx) => tx`delete from public.projects where id = ${x.project}`,
    );
    expect(deleted.count).toBe(0);
  });

  it('by a projects:write_all holder, who is not a member', async () => {
    const x = await createWorld(db.sql);
    await transfer(x.admin, x.project, x.editor);
    expect((await roles(x.project)).roles[x.editor]).toBe('owner');
    expect((await roles(x.project)).ownerId).toBe(x.editor);
  });

  it('is enforced at commit even for service_role: one owner row, and it is owner_id', async () => {
    const x = await createWorld(db.sql);
    const attempts = [
      (tx: Tx) => tx`update public.projects set owner_id = ${x.editor} where id = ${x.project}`,
      (tx: Tx) =>
        tx`delete from public.project_members where project_id = ${x.project} and user_id = ${x.owner}`,
      (tx: Tx) =>
        tx`update public.project_members set role = 'viewer'
            where project_id = ${x.project} and user_id = ${x.owner}`,
    ];
    for (const attempt of attempts) {
      expect(await pgError(() => asService(db.sql, attempt))).toBe('23514');
    }
    expect(
      await pgError(() =>
        asService(
          db.sql,
          (tx) =>
            tx`update public.project_members set role = 'owner'
              where project_id = ${x.project} and user_id = ${x.editor}`,
        ),
      ),
    ).toBe('23505');
    expect((await roles(x.project)).ownerId).toBe(x.owner);
  });
});

describe('the private helpers', () => {
  it("report the caller's role and membership", async () => {
    for (const [actor, role] of [
      ['owner', 'owner'],
      ['editor', 'editor'],
      ['viewer', 'viewer'],
      ['stranger', null],
      ['admin', null],
    ] as const) {
      const [r] = await asUser(
        db.sql,
        claimsOf(w[actor]),
        (tx) =>
          tx`select private.project_role(${w.project}) as role,
                  private.is_project_member(${w.project}) as member,
                  private.has_project_role(${w.project}, '{owner,editor}') as writer`,
      );
      expect(r, actor).toEqual({
        role,
        member: role !== null,
        writer: role === 'owner' || role === 'editor',
      });
    }
  });

  it('find a user by email, case-insensitively, and null when there is none', async () => {
    const email = uniqueEmail('share');
    const id = await createAuthUser(db.sql, { email });
    const [r] = await asUser(
      db.sql,
      claimsOf(w.owner),
      (tx) =>
        tx`select private.find_user_id_by_email(${` ${email.toUpperCase()}`}) as found,
                private.find_user_id_by_email('nobody@example.com') as missing`,
    );
    expect(r).toEqual({ found: id, missing: null });
  });

  it("are out of anon's reach", async () => {
    for (const call of [
      (tx: Tx) => tx`select private.project_role(${w.project})`,
      (tx: Tx) => tx`select private.is_project_member(${w.project})`,
      (tx: Tx) => tx`select private.find_user_id_by_email('a@example.com')`,
      (tx: Tx) => tx`select private.transfer_project(${w.project}, ${w.editor})`,
    ]) {
      expect(await pgError(() => asUser(db.sql, ANON, call))).toBe(D);
    }
  });
});
