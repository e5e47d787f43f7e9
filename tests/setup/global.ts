import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../scripts/db/embedded.ts';
import { applyBootstrap, applyMigrations } from '../../scripts/db/migrate.ts';
import { freePort } from '../../scripts/local/ports.ts';
import { createDb } from '../../shared/db/client.ts';
import { withDatabase } from '../helpers/pg-url.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser URL to the test server's `postgres` database. */
    adminDatabaseUrl: string;
    /** The migrated database every test file clones its own from. */
    templateDatabase: string;
  }
}

/**
 * Starts one PostgreSQL for the whole run (embedded, or the server in DATABASE_URL), and
 * builds a template database with the bootstrap and every migration applied. Each test
 * file then clones the template, which takes milliseconds instead of re-migrating.
 */
export default async function setup(project: TestProject) {
  const external = process.env.DATABASE_URL;
  let stopServer = async () => {};
  let dataDir: string | undefined;
  let adminUrl: string;
  if (external) {
    adminUrl = external;
  } else {
    dataDir = await mkdtemp(join(tmpdir(), 'backend-test-pg-'));
    const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false });
    adminUrl = pg.url;
    stopServer = pg.stop;
  }

  const template = `test_template_${process.pid}`;
  const admin = createDb(adminUrl, { max: 1, name: 'test-setup' });
  await admin.unsafe(`drop database if exists ${template} with (force)`);
  await admin.unsafe(`create database ${template}`);
  const db = createDb(withDatabase(adminUrl, template), { max: 1, name: 'test-setup' });
  try {
    await applyBootstrap(db);
    await applyMigrations(db);
  } finally {
    await db.end();
  }

  project.provide('adminDatabaseUrl', adminUrl);
  project.provide('templateDatabase', template);

  return async () => {
    await admin.unsafe(`drop database if exists ${template} with (force)`);
    await admin.end();
    await stopServer();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
}
