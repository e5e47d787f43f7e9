import { z } from 'zod';
import { toE164 } from '../phone.ts';

/** One problem of one row: its record number (the header is row 1), the column, what is wrong. */
export interface RowProblem {
  row: number;
  field: string;
  problem: string;
}

/** A valid row, ready to insert. */
export interface ClientImportRow {
  row: number;
  phone: string;
  name: string;
  email: string | null;
  profileType: string | null;
}

/** The columns a file may have; phone and name are required. Case and spaces are ignored. */
export const IMPORT_COLUMNS = ['phone', 'name', 'email', 'profile_type'] as const;
type Column = (typeof IMPORT_COLUMNS)[number];

/** Where each known column is in the file, from its header; or the header's problems. */
export function readHeader(
  header: string[],
): { columns: Partial<Record<Column, number>> } | { problems: RowProblem[] } {
  const columns: Partial<Record<Column, number>> = {};
  const problems: RowProblem[] = [];
  header.forEach((raw, i) => {
    const name = raw
      .trim()
      .toLowerCase()
      .replace(/^\ufeff/, '')
      .replace(/\s+/g, '_');
    if (!(IMPORT_COLUMNS as readonly string[]).includes(name)) {
      problems.push({ row: 1, field: raw.slice(0, 50), problem: 'Unknown column' });
    } else if (columns[name as Column] !== undefined) {
      problems.push({ row: 1, field: name, problem: 'Repeated column' });
    } else columns[name as Column] = i;
  });
  for (const required of ['phone', 'name'] as const) {
    if (columns[required] === undefined) {
      problems.push({ row: 1, field: required, problem: 'Missing column' });
    }
  }
  return problems.length ? { problems } : { columns };
}

const email = z.email().max(320);
const profileType = /^[a-z0-9][a-z0-9_-]{0,49}$/;

/**
 * Validates one record against the same rules as the API's client fields. Problems never
 * repeat the value (the report outlives the file, and must not hold its personal data).
 */
export function validateRow(
  row: number,
  record: string[],
  columns: Partial<Record<Column, number>>,
): { ok: ClientImportRow } | { problems: RowProblem[] } {
  const get = (c: Column) => {
    const i = columns[c];
    return i === undefined ? '' : (record[i] ?? '').trim();
  };
  const problems: RowProblem[] = [];
  const phone = toE164(get('phone').slice(0, 64));
  if (!get('phone')) problems.push({ row, field: 'phone', problem: 'Required' });
  else if (!phone) {
    problems.push({ row, field: 'phone', problem: 'Not an international number (+ and code)' });
  }
  const name = get('name');
  if (!name) problems.push({ row, field: 'name', problem: 'Required' });
  else if (name.length > 200) problems.push({ row, field: 'name', problem: 'Over 200 characters' });
  const mail = get('email');
  if (mail && !email.safeParse(mail).success) {
    problems.push({ row, field: 'email', problem: 'Not an email address' });
  }
  const type = get('profile_type');
  if (type && !profileType.test(type)) {
    problems.push({ row, field: 'profile_type', problem: 'Use 1 to 50 of a-z, 0-9, _ and -' });
  }
  if (record.length > Math.max(...Object.values(columns).map((i) => (i ?? 0) + 1))) {
    problems.push({ row, field: '', problem: 'More fields than columns' });
  }
  if (problems.length || !phone) return { problems };
  return { ok: { row, phone, name, email: mail || null, profileType: type || null } };
}
