import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listClients } from '../../shared/crm/clients.ts';
import { listTimeline } from '../../shared/crm/timeline.ts';
import type { Pool, Tx } from '../../shared/db/client.ts';
import { asService, asUser } from '../../shared/db/doors.ts';
import type { Position } from '../../shared/db/keyset.ts';
import { listAuditLog } from '../../shared/identity/audit-log.ts';
import { passwordHolds } from '../../shared/identity/lockout.ts';
import { listSessionPage } from '../../shared/identity/session-pages.ts';
import { listUsers } from '../../shared/identity/users.ts';
import { findUserIdByEmail, listMembers } from '../../shared/projects/members.ts';
import { listMessages } from '../../shared/projects/messages.ts';
import { listProjects } from '../../shared/projects/projects.ts';
import { type LargeCrm, seedLargeCrm } from '../fixtures/large-crm.ts';
import { type LargeSeed, relationSizes, seedLargeTables } from '../fixtures/large-tables.ts';
import { useTestDatabase } from '../helpers/db.ts';
import { indexesUsed, planProblems, planRecorder } from '../helpers/plans.ts';
import { claimsOf } from './identity/fixtures.ts';

// Every list query of the API, run as the route runs it (same module function, same door,
// same role and claims) over tables of 5,000-10,000 rows, must read about one page: no
// sequential scan of a large table and no plan node that handles 1,000 rows or more.
const LARGE = 1000;
const PAGE = 21;

const db = useTestDatabase();
let rec: ReturnType<typeof planRecorder>;
let seed: LargeSeed;
let crm: LargeCrm;
let sizes: Map<string, number>;

beforeAll(async () => {
  seed = await seedLargeTables(db.sql);
  crm = await seedLargeCrm(db.sql, seed);
  sizes = await relationSizes(db.sql);
  rec = planRecorder(db.url);
});

afterAll(() => rec?.end());

/** Where a page ends, as the cursor codec hands it back to the next request. */
const after = (sort: string, row: { sortKey: string; id: string } | undefined): Position => {
  if (!row) throw new Error('the first page was empty');
  return { sort, order: 'desc', key: row.sortKey, id: row.id };
};

interface Case {
  name: string;
  run: (pool: Pool) => Promise<unknown>;
  /** The index that must serve it: what makes the plan read one page. */
  index?: string;
  /** How many rows (or which value) the query must return, so no case passes on no data. */
  returns: (result: unknown) => void;
}

const asAdmin = <T>(pool: Pool, fn: (tx: Tx) => Promise<T>) =>
  asUser(pool, claimsOf(seed.admin), fn);
const page = (n: number) => (r: unknown) => expect(r).toHaveLength(n);
const asOwner = <T>(pool: Pool, fn: (tx: Tx) => Promise<T>) =>
  asUser(pool, claimsOf(seed.owner), fn);

const cases: Case[] = [
  {
    name: 'users: the default list, newest first',
    run: (pool) =>
      asAdmin(pool, (tx) => listUsers(tx, { sort: 'created_at', order: 'desc', limit: PAGE })),
    index: 'profiles_created_at_id_idx',
    returns: page(PAGE),
  },
  {
    name: 'users: the next page',
    run: async (pool) => {
      const first = await asAdmin(pool, (tx) =>
        listUsers(tx, { sort: 'created_at', order: 'desc', limit: PAGE }),
      );
      const position = after('created_at', first.at(-1));
      return asAdmin(pool, (tx) =>
        listUsers(tx, { sort: 'created_at', order: 'desc', after: position, limit: PAGE }),
      );
    },
    index: 'profiles_created_at_id_idx',
    returns: page(PAGE),
  },
  {
    name: 'users: search by part of a username',
    run: (pool) =>
      asAdmin(pool, (tx) =>
        listUsers(tx, { q: 'mber_123', sort: 'created_at', order: 'desc', limit: PAGE }),
      ),
    index: 'profiles_username_trgm_idx',
    returns: page(11), // member_123 and member_1230 … member_1239
  },
  {
    name: 'users: search by part of an email',
    run: (pool) =>
      asAdmin(pool, (tx) =>
        listUsers(tx, {
          q: seed.member77Email.slice(3, 11),
          sort: 'username',
          order: 'asc',
          limit: PAGE,
        }),
      ),
    index: 'user_email_search_email_trgm_idx',
    returns: (r) => expect((r as Array<{ id: string }>).map((u) => u.id)).toContain(seed.member77),
  },
  {
    name: 'audit log: newest first',
    run: (pool) => asAdmin(pool, (tx) => listAuditLog(tx, {}, { order: 'desc', limit: PAGE })),
    index: 'audit_log_occurred_at_id_idx',
    returns: page(PAGE),
  },
  {
    name: 'audit log: the next page, inside a burst of events that share occurred_at',
    run: async (pool) => {
      const first = await asAdmin(pool, (tx) =>
        listAuditLog(tx, {}, { order: 'desc', limit: PAGE }),
      );
      const position = after('occurred_at', first.at(-1));
      return asAdmin(pool, (tx) =>
        listAuditLog(tx, {}, { order: 'desc', after: position, limit: PAGE }),
      );
    },
    index: 'audit_log_occurred_at_id_idx',
    returns: page(PAGE),
  },
  {
    name: 'audit log: an action prefix (session.*)',
    run: (pool) =>
      asAdmin(pool, (tx) =>
        listAuditLog(tx, { action: 'session.*' }, { order: 'desc', limit: PAGE }),
      ),
    index: 'audit_log_action_occurred_at_id_idx',
    returns: page(PAGE),
  },
  {
    name: 'audit log: one action',
    run: (pool) =>
      asAdmin(pool, (tx) =>
        listAuditLog(tx, { action: 'session.revoked' }, { order: 'desc', limit: PAGE }),
      ),
    index: 'audit_log_action_occurred_at_id_idx',
    returns: page(PAGE),
  },
  {
    name: 'audit log: an actor with many events',
    run: (pool) =>
      asAdmin(pool, (tx) =>
        listAuditLog(tx, { actorId: seed.admin }, { order: 'desc', limit: PAGE }),
      ),
    returns: page(PAGE),
  },
  {
    name: 'audit log: an actor with few events',
    run: (pool) =>
      asAdmin(pool, (tx) =>
        listAuditLog(tx, { actorId: seed.member77 }, { order: 'desc', limit: PAGE }),
      ),
    index: 'audit_log_actor_id_occurred_at_id_idx',
    returns: page(2),
  },
  {
    name: 'sessions: the sessions of one user',
    run: (pool) =>
      asAdmin(pool, (tx) => listSessionPage(tx, seed.admin, { order: 'desc', limit: PAGE })),
    returns: page(1),
  },
  {
    name: 'projects: those the caller is a member of',
    run: (pool) =>
      asAdmin(pool, (tx) => listProjects(tx, { sort: 'updated_at', order: 'desc', limit: PAGE })),
    index: 'project_members_user_id_idx',
    returns: page(20),
  },
  {
    name: 'projects: search by name',
    run: (pool) =>
      asAdmin(pool, (tx) =>
        listProjects(tx, { q: 'project 1', sort: 'name', order: 'asc', limit: PAGE }),
      ),
    index: 'project_members_user_id_idx',
    returns: (r) => expect((r as unknown[]).length).toBeGreaterThan(0),
  },
  {
    name: 'members: the members of a big project',
    run: (pool) =>
      asUser(pool, claimsOf(seed.owner), (tx) =>
        listMembers(tx, seed.bigProject, { order: 'asc', limit: PAGE }),
      ),
    returns: page(PAGE),
  },
  {
    name: 'messages: two pages of a long conversation',
    run: async (pool) => {
      const as = claimsOf(seed.owner);
      const first = await asUser(pool, as, (tx) =>
        listMessages(tx, seed.bigProject, { order: 'desc', limit: PAGE }),
      );
      const position = after('created_at', first.at(-1));
      return asUser(pool, as, (tx) =>
        listMessages(tx, seed.bigProject, { order: 'desc', after: position, limit: PAGE }),
      );
    },
    index: 'project_messages_project_id_created_at_id_idx',
    returns: page(PAGE),
  },
  {
    name: 'CRM clients: the inbox, by last activity',
    run: (pool) =>
      asOwner(pool, (tx) =>
        listClients(tx, seed.bigProject, { sort: 'last_activity_at', order: 'desc', limit: PAGE }),
      ),
    index: 'crm_clients_project_activity_idx',
    returns: page(PAGE),
  },
  {
    name: 'CRM clients: the next page, by name',
    run: async (pool) => {
      const opts = { sort: 'name', order: 'asc', limit: PAGE } as const;
      const first = await asOwner(pool, (tx) => listClients(tx, seed.bigProject, opts));
      const position = { ...after('name', first.at(-1)), order: 'asc' as const };
      return asOwner(pool, (tx) => listClients(tx, seed.bigProject, { ...opts, after: position }));
    },
    index: 'crm_clients_project_name_idx',
    returns: page(PAGE),
  },
  {
    name: 'CRM clients: search by part of a name',
    run: (pool) =>
      asOwner(pool, (tx) =>
        listClients(tx, seed.bigProject, {
          pattern: `%${crm.nameFragment}%`,
          sort: 'last_activity_at',
          order: 'desc',
          limit: PAGE,
        }),
      ),
    index: 'crm_clients_search_idx',
    returns: page(1),
  },
  {
    name: 'CRM clients: search by phone digits',
    run: (pool) =>
      asOwner(pool, (tx) =>
        listClients(tx, seed.bigProject, {
          pattern: `%${crm.phoneFragment}%`,
          sort: 'created_at',
          order: 'desc',
          limit: PAGE,
        }),
      ),
    index: 'crm_clients_search_idx',
    returns: page(1),
  },
  {
    name: 'CRM timeline: two pages of a long history, messages and events merged',
    run: async (pool) => {
      const first = await asOwner(pool, (tx) =>
        listTimeline(tx, crm.chatty, { order: 'desc', limit: PAGE }),
      );
      const position = after('occurred_at', first.at(-1));
      return asOwner(pool, (tx) =>
        listTimeline(tx, crm.chatty, { order: 'desc', after: position, limit: PAGE }),
      );
    },
    index: 'crm_messages_client_timeline_idx',
    returns: page(PAGE),
  },
  {
    name: 'sharing: the user with an email address, in another case',
    run: (pool) =>
      asUser(pool, claimsOf(seed.owner), (tx) =>
        findUserIdByEmail(tx, ` ${seed.member77Email.toUpperCase()} `),
      ),
    index: 'users_instance_id_email_idx',
    returns: (r) => expect(r).toBe(seed.member77),
  },
  {
    name: 'sign-in: whether a password sign-in must wait, checked before every attempt',
    run: (pool) =>
      asService(pool, (tx) =>
        passwordHolds(tx, seed.member77Email.toUpperCase(), '203.0.113.9', new Date()),
      ),
    index: 'users_instance_id_email_idx',
    returns: (r) => expect(r).toEqual({ lock: null, pause: null }),
  },
];

describe('query plans over large tables', () => {
  it.each(cases)('$name', async ({ run, index, returns }) => {
    const { result, plans } = await rec.record(run);
    returns(result);
    expect(planProblems(plans, sizes, LARGE)).toEqual([]);
    if (index) expect(indexesUsed(plans)).toContain(index);
  });
});
