import type { Pool } from '../../shared/db/client.ts';

/**
 * Tables whose rows record that something was tried rather than hold product data: a refused
 * request may (and often must) leave an audit event.
 */
const BOOKKEEPING = new Set(['audit_log']);

/** Tables of roles and grants: only an admin may change them, never the user's own row. */
export const RBAC_TABLES = new Set(['roles', 'permissions', 'role_permissions', 'user_roles']);

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** One version of one row: its table and the ids its columns mention. */
export interface Row {
  table: string;
  ids: ReadonlySet<string>;
}

export interface Snapshot {
  /** Every row version in the public tables, by `table:ctid:xmin`. */
  rows: Map<string, Row>;
  /**
   * The user, the projects they belong to, and those projects' generations and CRM clients,
   * channels and messages (a message's attempts name only the message): the rows they may
   * change mention one.
   */
  mine: string[];
}

export interface Diff {
  /** Row versions gone: deleted, or replaced by an update. */
  removed: Row[];
  /** Row versions new: inserted, or written by an update. */
  added: Row[];
}

/**
 * Takes snapshots of every table in `public` (found at start, so tables added by later
 * migrations are covered) except bookkeeping. A row version is named by its `ctid` and
 * `xmin`, which any insert or update changes, so a snapshot is one light query; the text
 * of a version never changes, so it is read once, when the version is first seen.
 */
export async function snapshotter(sql: Pool) {
  const tables = (
    await sql<{ name: string }[]>`
      select tablename as name from pg_tables where schemaname = 'public' order by 1`
  )
    .map((t) => t.name)
    .filter((t) => !BOOKKEEPING.has(t));
  // The user's projects come in the same round trip, as rows of a table named `#mine`.
  const versions = [
    ...tables.map((t) => `select '${t}' as t, ctid::text as c, xmin::text as x from public."${t}"`),
    `select '#mine', project_id::text, '' from public.project_members where user_id = $1
     union select '#mine', id::text, '' from public.projects where owner_id = $1
     union select '#mine', g.id::text, '' from public.code_generations g
       join public.project_members m on m.project_id = g.project_id and m.user_id = $1
     union select '#mine', x.id::text, '' from public.crm_messages x
       join public.project_members m on m.project_id = x.project_id and m.user_id = $1
     union select '#mine', x.id::text, '' from public.crm_clients x
       join public.project_members m on m.project_id = x.project_id and m.user_id = $1
     union select '#mine', x.id::text, '' from public.crm_channels x
       join public.project_members m on m.project_id = x.project_id and m.user_id = $1`,
  ].join(' union all ');
  const seen = new Map<string, Row>();

  async function read(table: string, ctids: string[]): Promise<void> {
    const rows = await sql.unsafe<{ c: string; x: string; text: string }[]>(
      `select ctid::text as c, xmin::text as x, r::text as text
         from public."${table}" r where ctid = any($1::tid[])`,
      [ctids],
    );
    for (const r of rows) {
      const ids = new Set((r.text.match(UUID) ?? []).map((id) => id.toLowerCase()));
      seen.set(`${table}:${r.c}:${r.x}`, { table, ids });
    }
  }

  return async function snapshot(userId: string): Promise<Snapshot> {
    const all = await sql.unsafe<{ t: string; c: string; x: string }[]>(versions, [userId]);
    const result = all.filter((r) => r.t !== '#mine');
    const mine = [userId, ...all.filter((r) => r.t === '#mine').map((r) => r.c)];
    const unseen = new Map<string, string[]>();
    for (const r of result) {
      if (seen.has(`${r.t}:${r.c}:${r.x}`)) continue;
      unseen.set(r.t, [...(unseen.get(r.t) ?? []), r.c]);
    }
    for (const [table, ctids] of unseen) await read(table, ctids);
    const rows = new Map<string, Row>();
    for (const r of result) {
      const key = `${r.t}:${r.c}:${r.x}`;
      const row = seen.get(key);
      // Requests run one at a time, so nothing writes between the two queries.
      if (!row) throw new Error(`row version ${key} vanished while being read`);
      rows.set(key, row);
    }
    return { rows, mine };
  };
}

/** What changed between two snapshots. */
export function diff(before: Snapshot, after: Snapshot): Diff {
  const removed = [...before.rows].filter(([k]) => !after.rows.has(k)).map(([, r]) => r);
  const added = [...after.rows].filter(([k]) => !before.rows.has(k)).map(([, r]) => r);
  return { removed, added };
}

/** Whether a row version mentions any of `ids` (a user, the projects they belong to). */
export const mentions = (row: Row, ids: readonly string[]) => ids.some((id) => row.ids.has(id));
