import type { Clock } from '../../clock.ts';
import type { Pool, Tx } from '../../db/client.ts';
import { asService, asUser } from '../../db/doors.ts';
import { INSUFFICIENT_PRIVILEGE, isPg } from '../../db/errors.ts';
import { CsvParser, CsvRecordTooLong } from './csv.ts';
import { insertClients } from './insert.ts';
import { type ClientImportRow, type RowProblem, readHeader, validateRow } from './rows.ts';
import {
  type DuplicateRow,
  dropChunks,
  findImportForRun,
  type ImportRow,
  REPORT_LIMIT,
  readChunk,
  updateImport,
} from './store.ts';

/** The most data rows a file may have; the keys of every row are held while validating. */
export const MAX_IMPORT_ROWS = 100_000;
const BATCH = 500;

export interface RunOptions {
  clock: Clock;
  /** Write progress (and so broadcast it) after every batch, from a second connection. */
  progress?: boolean;
  /** This is the last try: a failure ends the import as `failed` and drops its file. */
  final?: boolean;
}

type ReadChunk = (seq: number) => Promise<Uint8Array | undefined>;

/** Every record of the stored file, in order, holding one piece and one record at a time. */
async function* records(read: ReadChunk): AsyncGenerator<string[]> {
  const decoder = new TextDecoder();
  const parser = new CsvParser();
  for (let seq = 0; ; seq++) {
    const chunk = await read(seq);
    if (!chunk) break;
    yield* parser.push(decoder.decode(chunk, { stream: true }));
  }
  yield* parser.push(decoder.decode());
  yield* parser.end();
}

/**
 * Walks the file's rows: the header, then each data row valid or with its problems, and each
 * repeat of an earlier row's phone or email. Both passes walk it the same way, so the second
 * skips exactly what the first reported without keeping a list of rows.
 */
async function walk(
  read: ReadChunk,
  on: {
    header(problems: RowProblem[]): void;
    invalid(problems: RowProblem[]): void;
    repeat(d: DuplicateRow): void;
    valid(r: ClientImportRow): Promise<void>;
  },
): Promise<number> {
  const phones = new Map<string, number>();
  const emails = new Map<string, number>();
  let header: ReturnType<typeof readHeader> | undefined;
  let row = 0;
  try {
    for await (const record of records(read)) {
      row++;
      if (!header) {
        header = readHeader(record);
        if ('problems' in header) {
          on.header(header.problems);
          return 0;
        }
        continue;
      }
      if (record.length === 1 && record[0]?.trim() === '') continue;
      if (row - 1 > MAX_IMPORT_ROWS) {
        on.header([{ row, field: '', problem: `More than ${MAX_IMPORT_ROWS} rows` }]);
        return 0;
      }
      if ('problems' in header) return 0;
      const checked = validateRow(row, record, header.columns);
      if ('problems' in checked) {
        on.invalid(checked.problems);
        continue;
      }
      const r = checked.ok;
      const email = r.email?.toLowerCase();
      const earlier = phones.get(r.phone) ?? (email ? emails.get(email) : undefined);
      if (earlier !== undefined) {
        const field = phones.has(r.phone) ? 'phone' : 'email';
        on.repeat({ row, field, client_id: null, same_as_row: earlier });
        continue;
      }
      phones.set(r.phone, row);
      if (email) emails.set(email, row);
      await on.valid(r);
    }
  } catch (err) {
    if (!(err instanceof CsvRecordTooLong)) throw err;
    on.header([{ row: err.record, field: '', problem: 'Record too long (unclosed quote?)' }]);
    return 0;
  }
  if (!header) on.header([{ row: 1, field: '', problem: 'The file is empty' }]);
  return Math.max(row - 1, 0);
}

/**
 * Runs an import: validates every row first, then (in mode `all` only when every row is
 * valid) writes the valid ones in one transaction as the person who started it, so their
 * RLS decides and an all-or-nothing import is exactly that. Clients that exist already (by
 * phone or email) are reported and skipped, never doubled. Memory holds one piece of the
 * file, one batch and the keys seen, never the file.
 */
export async function runImport(db: Pool, importId: string, opts: RunOptions): Promise<void> {
  const now = () => new Date(opts.clock.now());
  const imp = await asService(db, (tx) => findImportForRun(tx, importId));
  if (!imp) return;
  const service = <T>(fn: (tx: Tx) => Promise<T>) => asService(db, fn);
  await service((tx) => updateImport(tx, importId, { status: 'validating', started_at: now() }));
  try {
    const report = await validate((seq) => service((tx) => readChunk(tx, importId, seq)));
    if (report.fatal || (imp.mode === 'all' && report.invalid > 0)) {
      await service(async (tx) => {
        await updateImport(tx, importId, {
          status: 'rejected',
          total_rows: report.total,
          invalid: report.invalid,
          problems: report.problems,
          duplicates: report.repeatCount,
          duplicate_rows: report.repeats.slice(0, REPORT_LIMIT),
          finished_at: now(),
        });
        await dropChunks(tx, importId);
      });
      return;
    }
    await service((tx) =>
      updateImport(tx, importId, { status: 'importing', total_rows: report.total }),
    );
    const written = await write(db, imp, opts);
    const duplicates = [...report.repeats, ...written.existing].sort((a, b) => a.row - b.row);
    await service(async (tx) => {
      await updateImport(tx, importId, {
        status: 'succeeded',
        processed_rows: report.total,
        imported: written.imported,
        invalid: report.invalid,
        problems: report.problems,
        duplicates: report.repeatCount + written.existingCount,
        duplicate_rows: duplicates.slice(0, REPORT_LIMIT),
        finished_at: now(),
      });
      await dropChunks(tx, importId);
    });
  } catch (err) {
    if (!opts.final) throw err;
    const error = isPg(err, INSUFFICIENT_PRIVILEGE)
      ? 'The person who started the import may no longer add clients to this project'
      : 'The import could not be completed';
    await service(async (tx) => {
      await updateImport(tx, importId, { status: 'failed', error, finished_at: now() });
      await dropChunks(tx, importId);
    });
    throw err;
  }
}

interface Validation {
  total: number;
  invalid: number;
  fatal: boolean;
  problems: RowProblem[];
  repeats: DuplicateRow[];
  /** Every repeat, even past the report's limit. */
  repeatCount: number;
}

async function validate(read: ReadChunk): Promise<Validation> {
  const v: Validation = {
    total: 0,
    invalid: 0,
    fatal: false,
    problems: [],
    repeats: [],
    repeatCount: 0,
  };
  const note = (problems: RowProblem[]) => {
    for (const p of problems) if (v.problems.length < REPORT_LIMIT) v.problems.push(p);
  };
  v.total = await walk(read, {
    header(problems) {
      v.fatal = true;
      note(problems);
    },
    invalid(problems) {
      v.invalid++;
      note(problems);
    },
    repeat(d) {
      v.repeatCount++;
      if (v.repeats.length < REPORT_LIMIT) v.repeats.push(d);
    },
    valid: async () => {},
  });
  return v;
}

/** Writes the valid rows in batches, in one transaction as the import's author. */
async function write(
  db: Pool,
  imp: ImportRow,
  opts: RunOptions,
): Promise<{ imported: number; existing: DuplicateRow[]; existingCount: number }> {
  const claims = { sub: imp.createdBy, role: 'authenticated' as const, aal: imp.aal };
  let imported = 0;
  let processed = 0;
  let existingCount = 0;
  const existing: DuplicateRow[] = [];
  await asUser(db, claims, async (tx) => {
    let batch: ClientImportRow[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const result = await insertClients(tx, imp.projectId, batch);
      imported += result.imported;
      existingCount += result.existing.length;
      for (const d of result.existing) if (existing.length < REPORT_LIMIT) existing.push(d);
      processed = batch.at(-1)?.row ?? processed;
      batch = [];
      // Progress from a second connection: this transaction commits only at the end, and
      // what it writes stays invisible until then.
      if (opts.progress) {
        await asService(db, (s) => updateImport(s, imp.id, { processed_rows: processed - 1 }));
      }
    };
    await walk((seq) => readChunk(tx, imp.id, seq), {
      header() {},
      invalid() {},
      repeat() {},
      async valid(r) {
        batch.push(r);
        if (batch.length >= BATCH) await flush();
      },
    });
    await flush();
  });
  return { imported, existing, existingCount };
}
