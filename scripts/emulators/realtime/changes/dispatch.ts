import type { Sql } from '../../../../shared/db/client.ts';
import type { Log } from '../context.ts';
import type { Change, Relation, Transaction, Value } from '../pgoutput.ts';
import type { Claims } from '../tokens.ts';
import type { SubscriptionParams } from './params.ts';
import { type Column, castToJson, ident, passFilters, tableColumns, type Values } from './sql.ts';
import { untilVisible } from './visibility.ts';

/** The channel side of a subscription: whose claims apply, and where changes go. */
export interface ChangeListener {
  readonly claims: Claims;
  deliver(payload: { ids: number[]; data: Record<string, unknown> }): void;
}

export interface PgSubscription {
  /** The id the join reply gave this binding; changes carry it in `ids`. */
  id: number;
  owner: ChangeListener;
  params: SubscriptionParams;
  entities: Set<number>;
}

type Action = 'INSERT' | 'UPDATE' | 'DELETE';

function toValues(relation: Relation, row?: Value[]): Values {
  const values: Values = new Map();
  relation.columns.forEach((c, i) => {
    const v = row?.[i];
    if (v !== undefined) values.set(c.name, v);
  });
  return values;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}

/**
 * Postgres Changes: each committed change to a published table goes to the subscriptions
 * that asked for its table and event, whose filters it passes, and whose caller may select
 * the row under RLS (checked as that caller: role and claims, once the change's transaction
 * is visible); deletes are not checked by RLS and then carry only the primary key, as on
 * Realtime.
 */
export class ChangeDispatcher {
  private readonly subs = new Set<PgSubscription>();
  private readonly tables = new WeakMap<Relation, Promise<Column[]>>();
  /** The last transaction seen to be visible: its other changes need not wait again. */
  private visibleXid: number | undefined;

  private readonly db: Sql;
  private readonly maxRecordBytes: number;
  private readonly log: Log;

  constructor(db: Sql, maxRecordBytes: number, log: Log) {
    this.db = db;
    this.maxRecordBytes = maxRecordBytes;
    this.log = log;
  }

  add(sub: PgSubscription) {
    this.subs.add(sub);
  }

  removeOwner(owner: ChangeListener) {
    for (const sub of this.subs) if (sub.owner === owner) this.subs.delete(sub);
  }

  /** Swaps `owner`'s subscriptions for `subs` at once: no change falls between the two. */
  replaceOwner(owner: ChangeListener, subs: PgSubscription[]) {
    this.removeOwner(owner);
    for (const sub of subs) this.subs.add(sub);
  }

  get size() {
    return this.subs.size;
  }

  /** Dispatches one change of the committed transaction `tx`. */
  async handle(change: Change, tx: Pick<Transaction, 'xid' | 'commitTime'>): Promise<void> {
    const action = change.kind.toUpperCase() as Action;
    const oid = change.relation.id;
    const candidates = [...this.subs].filter(
      (s) => s.entities.has(oid) && (s.params.action === '*' || s.params.action === action),
    );
    if (candidates.length === 0) return;
    if (!this.tables.has(change.relation)) {
      this.tables.set(change.relation, tableColumns(this.db, oid));
    }
    const columns = await (this.tables.get(change.relation) as Promise<Column[]>);
    const byName = new Map(columns.map((c) => [c.name, c]));
    const [rel] = await this.db`select relrowsecurity as rls from pg_class where oid = ${oid}`;
    const rls = Boolean(rel?.rls);
    const fresh = toValues(change.relation, change.row);
    const old = toValues(change.relation, change.old);
    // An unchanged TOASTed value is not resent; the old row has it when identity is FULL.
    change.relation.columns.forEach((c, i) => {
      if (change.row && change.row[i] === undefined && old.has(c.name)) {
        fresh.set(c.name, old.get(c.name) ?? null);
      }
    });
    const size = [...fresh.values(), ...old.values()].reduce((n, v) => n + (v?.length ?? 0), 0);
    const tooLarge = size > this.maxRecordBytes;
    const record = await castToJson(this.db, byName, fresh);
    const oldRecord = await castToJson(this.db, byName, old);
    const base = {
      schema: change.relation.schema,
      table: change.relation.table,
      commit_timestamp: new Date(tx.commitTime).toISOString(),
      type: action,
    };

    for (const [role, subs] of groupBy(candidates, (s) => s.owner.claims.role)) {
      let selectable: Set<string>;
      try {
        const rows = await this.db`
          select attname from pg_attribute
           where attrelid = ${oid} and attnum > 0 and not attisdropped
             and has_column_privilege(${role}, ${oid}::oid, attname, 'SELECT')`;
        selectable = new Set(rows.map((r) => r.attname as string));
      } catch {
        continue; // the claims name a role this database does not have
      }
      const pks = columns.filter((c) => c.pk);
      const failure =
        action === 'DELETE'
          ? undefined
          : pks.length === 0
            ? 'Error 400: Bad Request, no primary key'
            : pks.some((c) => !selectable.has(c.name))
              ? 'Error 401: Unauthorized'
              : undefined;
      if (failure) {
        this.send(subs, {
          schema: base.schema,
          table: base.table,
          type: action,
          errors: [failure],
        });
        continue;
      }
      const source = action === 'DELETE' ? old : fresh;
      const passed = await passFilters(
        this.db,
        byName,
        source,
        subs.map((s) => s.params.filters),
      );
      let visible = subs.filter((_, i) => passed[i]);
      if (rls && action !== 'DELETE') {
        visible = await this.rlsVisible(visible, change, tx.xid, pks, fresh);
      }
      for (const group of groupBy(visible, (s) => JSON.stringify(s.params.select)).values()) {
        const select = group[0]?.params.select ?? null;
        const allowed = (c: Column) =>
          selectable.has(c.name) && (!select || select.includes(c.name) || c.pk);
        const pick = (values: Record<string, unknown>, keep: (c: Column) => boolean) => {
          const out: Record<string, unknown> = {};
          for (const c of columns) {
            if (!(c.name in values) || !keep(c)) continue;
            const v = values[c.name];
            if (tooLarge && JSON.stringify(v).length > 64) continue;
            out[c.name] = v;
          }
          return Object.keys(out).length ? out : null;
        };
        const data: Record<string, unknown> = {
          ...base,
          columns: columns.filter(allowed).map((c) => ({ name: c.name, type: c.typname })),
          errors: tooLarge ? ['Error 413: Payload Too Large'] : null,
        };
        if (action !== 'DELETE') data.record = pick(record, allowed) ?? {};
        if (action === 'UPDATE') data.old_record = pick(oldRecord, allowed);
        if (action === 'DELETE')
          data.old_record = pick(oldRecord, (c) => allowed(c) && (!rls || c.pk));
        this.send(group, data);
      }
    }
  }

  private send(subs: PgSubscription[], data: Record<string, unknown>) {
    const byOwner = new Map<ChangeListener, PgSubscription[]>();
    for (const s of subs) byOwner.set(s.owner, [...(byOwner.get(s.owner) ?? []), s]);
    for (const [owner, mine] of byOwner) owner.deliver({ ids: mine.map((s) => s.id), data });
  }

  /**
   * Whether each subscriber may select the new row, asked as that subscriber once the
   * transaction that wrote it is visible: asked earlier, the row would still be missing.
   */
  private async rlsVisible(
    subs: PgSubscription[],
    change: Change,
    xid: number,
    pks: Column[],
    fresh: Values,
  ): Promise<PgSubscription[]> {
    const keys = pks.map((c) => fresh.get(c.name));
    if (subs.length === 0 || keys.some((k) => k === undefined || k === null)) return [];
    if (this.visibleXid !== xid) {
      await untilVisible(this.db, xid, this.log);
      this.visibleXid = xid;
    }
    const where = pks
      .map((c, i) => `${ident(c.name)} = $${i + 1}::text::${c.sqlType}`)
      .join(' and ');
    const table = `${ident(change.relation.schema)}.${ident(change.relation.table)}`;
    const out: PgSubscription[] = [];
    for (const [claims, group] of groupBy(subs, (s) => JSON.stringify(s.owner.claims))) {
      const role = group[0]?.owner.claims.role ?? 'anon';
      const seen = await this.db
        .begin(async (tx) => {
          await tx`select set_config('role', ${role}, true),
                          set_config('request.jwt.claims', ${claims}, true)`;
          const [r] = await tx.unsafe(
            `select exists(select 1 from ${table} where ${where}) as ok`,
            keys as string[],
          );
          return Boolean(r?.ok);
        })
        .catch((err: Error) => {
          // A policy that errors hides the row, as Realtime's check does; say why.
          this.log('warn', `RLS check on ${table} failed: ${err.message}`);
          return false;
        });
      if (seen) out.push(...group);
    }
    return out;
  }
}
