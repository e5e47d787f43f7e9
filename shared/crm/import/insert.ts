import type { Tx } from '../../db/client.ts';
import type { ClientImportRow } from './rows.ts';
import type { DuplicateRow } from './store.ts';

/**
 * Inserts a batch of clients as the caller. A row whose phone or email a client of the
 * project already has is skipped by the unique keys (never doubled, never an error) and
 * reported with that client's id.
 */
export async function insertClients(
  tx: Tx,
  projectId: string,
  rows: readonly ClientImportRow[],
): Promise<{ imported: number; existing: DuplicateRow[] }> {
  const inserted = await tx<{ phone: string }[]>`
    insert into public.crm_clients (project_id, phone, name, email, profile_type, profile_source)
    select ${projectId}::uuid, u.phone, u.name, u.email, u.profile_type,
           case when u.profile_type is null then null else 'manual' end
      from unnest(${rows.map((r) => r.phone)}::text[], ${rows.map((r) => r.name)}::text[],
                  ${rows.map((r) => r.email)}::text[], ${rows.map((r) => r.profileType)}::text[])
           as u(phone, name, email, profile_type)
    on conflict do nothing
    returning phone`;
  const written = new Set(inserted.map((r) => r.phone));
  const skipped = rows.filter((r) => !written.has(r.phone));
  if (skipped.length === 0) return { imported: inserted.length, existing: [] };
  const found = await tx<{ id: string; phone: string; email: string | null }[]>`
    select c.id, c.phone, lower(c.email) as email from public.crm_clients c
     where c.project_id = ${projectId}::uuid
       and (c.phone = any (${skipped.map((r) => r.phone)}::text[])
            or lower(c.email) = any (${skipped.map((r) => r.email?.toLowerCase() ?? '')}::text[]))`;
  const existing = skipped.map((r): DuplicateRow => {
    const byPhone = found.find((f) => f.phone === r.phone);
    const byEmail = found.find((f) => r.email && f.email === r.email.toLowerCase());
    return {
      row: r.row,
      field: byPhone ? 'phone' : 'email',
      client_id: (byPhone ?? byEmail)?.id ?? null,
    };
  });
  return { imported: inserted.length, existing };
}
