import type { Sql } from '../../../../shared/db/client.ts';
import type { Log } from '../context.ts';

/** Probes before giving up on a transaction ever showing: about four seconds in all. */
const MAX_PROBES = 50;
/** The pause after the n-th probe: 1, 2, 4 … ms, then at most 100 ms. */
const pause = (n: number) => new Promise((done) => setTimeout(done, Math.min(2 ** n, 100)));

/**
 * Whether transaction `xid` has ended for new snapshots. pgoutput gives a 32-bit xid; the
 * snapshot's `xmax` (a 64-bit xid8) supplies its epoch, taking the xid as the one nearest to
 * `xmax` (xids in use are always within 2^31 of each other). An xid at or past `xmax`, or in
 * the snapshot's list of running transactions, is not visible yet.
 */
async function visibleNow(db: Sql, xid: number): Promise<boolean> {
  const [row] = await db`
    select pg_visible_in_snapshot(
             (xmax + ((${xid}::bigint - xmax) % 4294967296 + 6442450944) % 4294967296
                   - 2147483648)::text::xid8,
             snap) as visible
      from (select snap, pg_snapshot_xmax(snap)::text::bigint as xmax
              from pg_current_snapshot() as snap) s`;
  return row?.visible === true;
}

/**
 * Waits until the committed transaction `xid` is visible to new snapshots, so a query that
 * follows sees what it wrote.
 *
 * A transaction reaches logical replication once its commit record is flushed, and the
 * committing backend leaves the proc array only after that: on a busy machine, a query run
 * as soon as the change is decoded can still see the database as if the transaction were
 * running (its new row absent, its old row still there). A committed transaction becomes
 * visible a moment later, so this normally returns after one probe or a few milliseconds;
 * it stops waiting, and says so, only if that never happens.
 */
export async function untilVisible(db: Sql, xid: number, log: Log): Promise<void> {
  for (let probe = 0; probe < MAX_PROBES; probe++) {
    const visible = await visibleNow(db, xid).catch((err: Error) => {
      log('warn', `cannot tell whether transaction ${xid} is visible: ${err.message}`);
      return true;
    });
    if (visible) return;
    log('debug', `transaction ${xid} is committed but not visible yet; waiting`);
    await pause(probe);
  }
  log('warn', `transaction ${xid} never became visible; checking its changes as they stand`);
}
