import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../../shared/log.ts';
import { importHandler } from '../../../../worker/crm/import.ts';
import type { JobContext } from '../../../../worker/runtime/runner.ts';
import { ManualClock } from '../../../helpers/clock.ts';
import { crmFixtures, useCrmApi } from './helpers.ts';

const fx = useCrmApi();
const { team, client, sql } = crmFixtures(fx);

const phone = () => `+346${randomInt(1e7, 1e8 - 1)}`;

function upload(projectId: string, token: string, csv: string, mode?: 'all' | 'partial') {
  return fx.call('api', `/projects/${projectId}/imports${mode ? `?mode=${mode}` : ''}`, {
    method: 'POST',
    token,
    body: csv,
    headers: { 'content-type': 'text/csv' },
  });
}

const count = async (projectId: string) =>
  (
    await sql()<{ n: number }[]>`
    select count(*)::int as n from public.crm_clients where project_id = ${projectId}`
  )[0]!.n;

describe('CSV import of clients', () => {
  it('imports nothing when one row is bad, and reports that row; partial imports the rest', async () => {
    const t = await team();
    const csv = [
      'Phone,Name,Email,Profile Type',
      `${phone()},Amina Diallo,amina@example.com,asylum`,
      `0612 345,"Bad, Number",,`,
      `${phone()},"Karim ""K"" Benali",,work_permit`,
    ].join('\r\n');
    const all = await upload(t.projectId, t.editor.token, csv);
    expect(all.status).toBe(200);
    const report = await all.json();
    expect(report).toMatchObject({ status: 'rejected', imported: 0, invalid: 1, total_rows: 3 });
    expect(report.problems).toEqual([
      { row: 3, field: 'phone', problem: 'Not an international number (+ and code)' },
    ]);
    expect(await count(t.projectId)).toBe(0);

    const partial = await upload(t.projectId, t.editor.token, csv, 'partial');
    const done = await partial.json();
    expect(done).toMatchObject({ status: 'succeeded', imported: 2, invalid: 1 });
    const names = await sql()<{ name: string; profile_type: string | null }[]>`
      select name, profile_type from public.crm_clients where project_id = ${t.projectId}
       order by name`;
    expect(names).toEqual([
      { name: 'Amina Diallo', profile_type: 'asylum' },
      { name: 'Karim "K" Benali', profile_type: 'work_permit' },
    ]);
    // The file is gone once the import is over.
    const chunks = await sql()`select 1 from public.crm_import_chunks where import_id = ${done.id}`;
    expect(chunks).toHaveLength(0);
  });

  it('reports duplicates of existing clients and within the file, and never doubles them', async () => {
    const t = await team();
    const known = phone();
    const existing = await client(t.projectId, { phone: known, email: 'known@example.com' });
    const fresh = phone();
    const csv = [
      'phone,name,email',
      `${known},Same Phone,`,
      `${phone()},Same Email,KNOWN@example.com`,
      `${fresh},New One,`,
      `${fresh},New One Again,`,
    ].join('\n');
    const res = await upload(t.projectId, t.owner.token, csv);
    const report = await res.json();
    expect(report).toMatchObject({ status: 'succeeded', imported: 1, duplicates: 3, invalid: 0 });
    expect(report.duplicate_rows).toEqual([
      { row: 2, field: 'phone', client_id: existing },
      { row: 3, field: 'email', client_id: existing },
      { row: 5, field: 'phone', client_id: null, same_as_row: 4 },
    ]);
    expect(await count(t.projectId)).toBe(2);
  });

  it('rejects a file without the required columns, and refuses viewers and other types', async () => {
    const t = await team();
    const res = await upload(t.projectId, t.editor.token, 'name,nickname\nAmina,A\n');
    expect(await res.json()).toMatchObject({
      status: 'rejected',
      problems: [
        { row: 1, field: 'nickname', problem: 'Unknown column' },
        { row: 1, field: 'phone', problem: 'Missing column' },
      ],
    });
    expect((await upload(t.projectId, t.viewer.token, 'phone,name\n')).status).toBe(403);
    const json = await fx.call('api', `/projects/${t.projectId}/imports`, {
      token: t.editor.token,
      json: { phone: '+34600000000' },
    });
    expect(json.status).toBe(415);
  });

  it('runs a large file as a job, with progress, and the report readable by its id', async () => {
    const t = await team();
    const rows = Array.from(
      { length: 6000 },
      (_, i) => `+3471${String(i).padStart(7, '0')},Client number ${i} of a long file,`,
    );
    rows[4321] = 'not-a-phone,Broken,';
    const csv = `phone,name,email\n${rows.join('\n')}\n`;
    const res = await upload(t.projectId, t.editor.token, csv, 'partial');
    expect(res.status).toBe(202);
    const queued = await res.json();
    expect(queued.status).toBe('queued');
    const [job] = await sql()<{ id: string; data: { import_id: string } }[]>`
      select id, data from pgboss.job where name = 'crm.import' and id = ${queued.id}`;
    expect(job?.data.import_id).toBe(queued.id);

    const log = createLogger({ level: 'silent' });
    const ctx = { log, retryCount: 0, retryLimit: 2 } as unknown as JobContext;
    const deps = { db: fx.services.db, clock: new ManualClock(), log } as never;
    await importHandler(deps)({ import_id: queued.id }, ctx);

    const got = await fx.call('api', `/projects/${t.projectId}/imports/${queued.id}`, {
      token: t.owner.token,
    });
    const report = await got.json();
    expect(report).toMatchObject({
      status: 'succeeded',
      total_rows: 6000,
      processed_rows: 6000,
      imported: 5999,
      invalid: 1,
      problems: [{ row: 4323, field: 'phone' }],
    });
    // Progress was broadcast on the project's channel after every batch, then the outcome.
    const progress = await sql()<{ status: string; processed: number }[]>`
      select payload->>'status' as status, (payload->>'processed_rows')::int as processed
        from realtime.messages
       where topic = ${`crm:${t.projectId}`} and event = 'import_progress'
         and payload->>'id' = ${queued.id}
       order by inserted_at, id`;
    const importing = progress.filter((p) => p.status === 'importing');
    expect(importing.length).toBeGreaterThan(5);
    expect(importing.map((p) => p.processed)).toEqual(
      [...importing.map((p) => p.processed)].sort((a, b) => a - b),
    );
    expect(progress.at(-1)).toEqual({ status: 'succeeded', processed: 6000 });
    expect(await count(t.projectId)).toBe(5999);
  });
});
