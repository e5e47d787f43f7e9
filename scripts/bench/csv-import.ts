import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../shared/clock.ts';
import { runImport } from '../../shared/crm/import/run.ts';
import { appendChunk, CHUNK_BYTES } from '../../shared/crm/import/store.ts';
import { createDb } from '../../shared/db/client.ts';
import { asOwner, asService } from '../../shared/db/doors.ts';
import { startEmbeddedPostgres } from '../db/embedded.ts';
import { applyBootstrap, applyMigrations } from '../db/migrate.ts';
import { freePort } from '../local/ports.ts';

// `npm run bench:import`: imports a 50,000-row CSV of clients the way the worker does (file in
// chunks, validated, then written in one transaction with progress) and samples this
// process's heap while it runs. Only PostgreSQL runs beside it (no emulators in this
// process), so the heap measured is the import's. Exits non-zero when the heap grows by more than the bound: the
// import must hold a piece of the file and a batch, never the file.
const ROWS = Number(process.env.IMPORT_ROWS ?? 50_000);
const BOUND_MIB = Number(process.env.IMPORT_HEAP_BOUND_MIB ?? 64);

/** The CSV, generated a piece at a time (so the generator itself holds no file either). */
function* csvPieces(): Generator<Uint8Array> {
  const enc = new TextEncoder();
  let piece = 'phone,name,email,profile_type\n';
  for (let i = 0; i < ROWS; i++) {
    piece += `+3461${String(i).padStart(7, '0')},Client ${i},client${i}@example.com,${i % 2 ? 'asylum' : ''}\n`;
    if (piece.length >= CHUNK_BYTES / 2) {
      yield enc.encode(piece);
      piece = '';
    }
  }
  if (piece) yield enc.encode(piece);
}

const dataDir = await mkdtemp(join(tmpdir(), 'bench-import-'));
await chmod(dataDir, 0o755);
console.log('Starting a throwaway PostgreSQL…');
const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false });
const setup = createDb(pg.url, { max: 1, name: 'bench-import-setup' });
await applyBootstrap(setup);
await applyMigrations(setup);
await setup.end();
const db = createDb(pg.url, { max: 4, name: 'bench-import' });
try {
  // Seeded as the database owner: auth.users is Auth's, not service_role's.
  const importId = await asOwner(db, async (tx) => {
    // One statement: each insert takes the row the one before returned.
    const [imp] = await tx<{ id: string }[]>`
      with u as (
        insert into auth.users (id, email)
        values (gen_random_uuid(), 'bench-import@example.com') returning id
      ), p as (
        insert into public.projects (owner_id, name) select id, 'Import bench' from u returning id
      )
      insert into public.crm_imports (project_id, created_by, mode, status)
      select p.id, u.id, 'all', 'queued' from p, u returning id`;
    if (!imp) throw new Error('the import was not created');
    let seq = 0;
    for (const piece of csvPieces()) await appendChunk(tx, imp.id, seq++, piece);
    return imp.id;
  });
  global.gc?.();
  const base = process.memoryUsage();
  let peakHeap = base.heapUsed;
  let peakRss = base.rss;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  }, 20);
  const started = performance.now();
  await runImport(db, importId, { clock: systemClock, progress: true, final: true });
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  const [row] = await asService(
    db,
    (tx) => tx<{ status: string; imported: number }[]>`
      select status, imported from public.crm_imports where id = ${importId}`,
  );
  const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
  const growth = (peakHeap - base.heapUsed) / 1024 / 1024;
  console.log(`rows: ${ROWS}, status: ${row?.status}, imported: ${row?.imported}`);
  console.log(`time: ${seconds.toFixed(1)} s (${Math.round(ROWS / seconds)} rows/s)`);
  console.log(
    `heap: ${mib(base.heapUsed)} MiB before, peak ${mib(peakHeap)} MiB (+${growth.toFixed(1)} MiB)`,
  );
  console.log(`rss: peak ${mib(peakRss)} MiB`);
  // The last line, for `npm run bench`, which runs this in a process of its own.
  console.log(
    JSON.stringify({ growthMib: growth, boundMib: BOUND_MIB, rowsPerSecond: ROWS / seconds }),
  );
  if (row?.status !== 'succeeded' || row.imported !== ROWS) process.exitCode = 1;
  if (growth > BOUND_MIB) {
    console.log(`Heap grew by more than the ${BOUND_MIB} MiB bound.`);
    process.exitCode = 1;
  }
} finally {
  await db.end();
  await pg.stop();
  await rm(dataDir, { recursive: true, force: true });
}
