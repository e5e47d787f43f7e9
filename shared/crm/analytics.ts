import type { Tx } from '../db/client.ts';

/** A range of UTC days, both ends included (`YYYY-MM-DD`). */
export interface DayRange {
  from: string;
  to: string;
}

/**
 * Clients created in the range by profile type (null: not set), from the covering index
 * (project_id, created_at) include (profile_type). The database function checks the caller's
 * membership once instead of once per row; a non-member gets no rows.
 */
export function clientsByProfileType(
  tx: Tx,
  projectId: string,
  r: DayRange,
): Promise<{ profileType: string | null; clients: number }[]> {
  return tx`
    select c.profile_type as "profileType", c.clients
      from private.crm_count_clients(${projectId}::uuid, ${r.from}::date, ${r.to}::date) c
     order by c.clients desc, c.profile_type nulls last`;
}

/** Documents added in the range by status, from the covering index (membership checked once). */
export function documentsByStatus(
  tx: Tx,
  projectId: string,
  r: DayRange,
): Promise<{ status: string; documents: number }[]> {
  return tx`
    select d.status, d.documents
      from private.crm_count_documents(${projectId}::uuid, ${r.from}::date, ${r.to}::date) d
     order by d.status`;
}

/** One day of the summary (crm_daily_stats). */
export interface DayStats {
  day: string;
  messagesIn: number;
  messagesOut: number;
  responses: number;
  responseSeconds: number;
  maxResponseSeconds: number;
}

/**
 * The daily summary over the range, one row per day with activity (a primary key range
 * scan: at most 366 rows whatever the number of messages).
 */
export function dailyStats(tx: Tx, projectId: string, r: DayRange): Promise<DayStats[]> {
  return tx<DayStats[]>`
    select s.day::text as day, s.messages_in as "messagesIn", s.messages_out as "messagesOut",
           s.responses, s.response_seconds as "responseSeconds",
           s.max_response_seconds as "maxResponseSeconds"
      from public.crm_daily_stats s
     where s.project_id = ${projectId}::uuid and s.day between ${r.from}::date and ${r.to}::date
     order by s.day`;
}

/** Every day of the range, in order. */
export function daysOf(r: DayRange): string[] {
  const days: string[] = [];
  const end = Date.parse(`${r.to}T00:00:00Z`);
  for (let t = Date.parse(`${r.from}T00:00:00Z`); t <= end; t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}
