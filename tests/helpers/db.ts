import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { createDb, type Pool } from '../../shared/db/client.ts';
import { withDatabase } from './pg-url.ts';

export interface TestDatabase {
  /** Superuser URL of this file's own database. */
  readonly url: string;
  /** A superuser pool on it, for arranging data and asserting on it. */
  readonly sql: Pool;
  readonly name: string;
}

/**
 * Gives the calling test file a database of its own, cloned from the migrated template
 * before its tests and dropped after, so files never see each other's rows.
 *
 * @example
 * const db = useTestDatabase();
 * it('works', async () => { await db.sql`select 1`; });
 */
export function useTestDatabase(): TestDatabase {
  const name = `test_${randomBytes(6).toString('hex')}`;
  const adminUrl = inject('adminDatabaseUrl');
  const url = withDatabase(adminUrl, name);
  let sql: Pool | undefined;
  let admin: Pool | undefined;

  beforeAll(async () => {
    admin = createDb(adminUrl, { max: 1, name: 'test-admin' });
    await admin.unsafe(`create database ${name} template ${inject('templateDatabase')}`);
    sql = createDb(url, { max: 4, name: 'test' });
  });

  afterAll(async () => {
    await sql?.end();
    await admin?.unsafe(`drop database if exists ${name} with (force)`);
    await admin?.end();
  });

  return {
    url,
    name,
    get sql() {
      if (!sql)
        throw new Error('useTestDatabase(): the database exists only inside tests and hooks');
      return sql;
    },
  };
}
