import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientsByProfileType, dailyStats, documentsByStatus } from '../../shared/crm/analytics.ts';
import { asUser } from '../../shared/db/doors.ts';
import { relationSizes } from '../fixtures/large-tables.ts';
import { useTestDatabase } from '../helpers/db.ts';
import { indexesUsed, planProblems, planRecorder, type RanPlan } from '../helpers/plans.ts';
import { claimsOf } from './identity/fixtures.ts';

// The dashboard's queries over a project with 8,000 messages across 500 days, 3,000
// clients and as many documents: messages are counted from the daily summary (one row per
// day: the same cost at a million messages), clients and documents from covering indexes.
const db = useTestDatabase();
let rec: ReturnType<typeof planRecorder>;
let owner: string;
let projectId: string;
const YEAR = { from: '2025-01-01', to: '2025-12-31' };

beforeAll(async () => {
  const sql = db.sql;
  [{ id: owner }] = (await sql`
    insert into auth.users (id, email) values (gen_random_uuid(), 'analytics@example.com')
    returning id`) as unknown as [{ id: string }];
  [{ id: projectId }] = (await sql`
    insert into public.projects (owner_id, name) values (${owner}, 'Busy') returning id`) as unknown as [
    { id: string },
  ];
  await sql`
    insert into public.crm_clients (project_id, phone, name, profile_type, created_at)
    select ${projectId}, '+3460' || lpad(i::text, 7, '0'), 'Client ' || i,
           (array['asylum', 'work_permit', null])[1 + i % 3],
           timestamptz '2025-01-01' + (i % 365) * interval '1 day'
      from generate_series(1, 3000) i`;
  await sql`
    insert into public.crm_messages (project_id, client_id, direction, type, body, status,
                                     occurred_at)
    select ${projectId}, c.id, d.direction, 'text', 'hi',
           case when d.direction = 'in' then 'received' else 'sent' end,
           timestamptz '2024-12-01' + (g.i * interval '3 hours') + d.lag
      from generate_series(1, 4000) g(i)
      join lateral (select id from public.crm_clients
                     where project_id = ${projectId} and phone = '+3460' || lpad((1 + g.i % 3000)::text, 7, '0')) c on true
      cross join (values ('in', interval '0'), ('out', interval '4 minutes')) d(direction, lag)`;
  await sql`
    insert into public.crm_documents (project_id, client_id, object_path, file_name,
                                      content_type, size_bytes, status, created_at)
    select c.project_id, c.id, c.project_id || '/clients/' || c.id || '/documents/x', 'x.pdf',
           'application/pdf', 100, (array['pending', 'verified', 'rejected'])[1 + (row_number() over ())::int % 3],
           c.created_at
      from public.crm_clients c where c.project_id = ${projectId}`;
  await sql`analyze`;
  rec = planRecorder(db.url);
});

afterAll(() => rec?.end());

const relations = (plans: RanPlan[]) =>
  plans.flatMap(({ plan }) => {
    const out: string[] = [];
    const walk = (n: RanPlan['plan']) => {
      if (n['Relation Name']) out.push(n['Relation Name']);
      for (const c of n.Plans ?? []) walk(c);
    };
    walk(plan);
    return out;
  });

describe('analytics query plans', () => {
  it('counts a message at commit, so writers to one project never wait for each other', async () => {
    const message = (sql: postgres.ISql) => sql`
      insert into public.crm_messages (project_id, client_id, direction, type, body, status,
                                       occurred_at)
      select ${projectId}, id, 'in', 'text', 'hi', 'received', timestamptz '2026-06-01 10:00Z'
        from public.crm_clients where project_id = ${projectId} limit 1`;
    const open = await db.sql.reserve();
    try {
      await open`begin`;
      await message(open);
      // Had the first writer's insert locked the day's row, this one would wait for it.
      await db.sql.begin(async (tx) => {
        await tx`set local lock_timeout = '2s'`;
        await message(tx);
      });
      await open`commit`;
    } finally {
      open.release();
    }
    const [day] = await db.sql`
      select messages_in from public.crm_daily_stats
       where project_id = ${projectId} and day = '2026-06-01'`;
    expect(day?.messages_in).toBe(2);
  });

  it('answers messages per day and response times from the summary, never the messages', async () => {
    const { result, plans } = await rec.record((pool) =>
      asUser(pool, claimsOf(owner), (tx) => dailyStats(tx, projectId, YEAR)),
    );
    expect(result).toHaveLength(365);
    const total = result.reduce((n, d) => n + d.messagesIn, 0);
    expect(total).toBe(2920);
    expect(result.every((d) => d.responses === d.messagesOut)).toBe(true);
    expect(result[10]?.responseSeconds).toBe(result[10]!.responses * 240);
    expect(relations(plans)).not.toContain('crm_messages');
    expect(indexesUsed(plans)).toContain('crm_daily_stats_pkey');
    expect(planProblems(plans, await relationSizes(db.sql), 1000)).toEqual([]);
  });

  it('counts clients and documents from their covering indexes, without a sequential scan', async () => {
    const clients = await rec.record((pool) =>
      asUser(pool, claimsOf(owner), (tx) => clientsByProfileType(tx, projectId, YEAR)),
    );
    expect(clients.result.reduce((n, r) => n + r.clients, 0)).toBe(3000);
    expect(indexesUsed(clients.plans)).toContain('crm_clients_project_created_profile_idx');
    const docs = await rec.record((pool) =>
      asUser(pool, claimsOf(owner), (tx) => documentsByStatus(tx, projectId, YEAR)),
    );
    expect(docs.result.map((r) => r.documents)).toEqual([1000, 1000, 1000]);
    expect(indexesUsed(docs.plans)).toContain('crm_documents_project_created_idx');
    // Membership is checked once per query, not once per row counted.
    const checks = [...clients.plans, ...docs.plans].filter((p) =>
      p.query.includes('from public.project_members m'),
    );
    expect(checks).toHaveLength(2);
    const scans = [...clients.plans, ...docs.plans].flatMap(({ plan }) => {
      const found: string[] = [];
      const walk = (n: RanPlan['plan']) => {
        if (n['Node Type'] === 'Seq Scan' && n['Relation Name']?.startsWith('crm_')) {
          found.push(n['Relation Name']);
        }
        for (const c of n.Plans ?? []) walk(c);
      };
      walk(plan);
      return found;
    });
    expect(scans).toEqual([]);
  });
});
