import { randomUUID } from 'node:crypto';
import type { Sql, Tx } from '../../../shared/db/client.ts';
import type { Claims } from './tokens.ts';

export type Extension = 'broadcast' | 'presence';

/** Read and write access per extension; undefined means "not checked yet". */
export interface Policies {
  broadcast: { read?: boolean; write?: boolean };
  presence: { read?: boolean; write?: boolean };
}

export const noPolicies = (): Policies => ({ broadcast: {}, presence: {} });

/** Who asks, and for which channel: what the policies see through settings. */
export interface AuthContext {
  topic: string;
  claims: Claims;
  headers: Record<string, string>;
}

/** A policy raised an error (or the role does not exist): Realtime's `RlsPolicyError`. */
export class RlsPolicyError extends Error {}

const ROLLBACK = Symbol('rollback');

/** Runs `fn` in a transaction that is always rolled back, returning what `fn` returned. */
async function rolledBack<T>(db: Sql, fn: (tx: Tx) => Promise<T>): Promise<T> {
  let result: T | undefined;
  try {
    await db.begin(async (tx) => {
      result = await fn(tx);
      throw ROLLBACK;
    });
  } catch (err) {
    if (err !== ROLLBACK) throw new RlsPolicyError(String((err as Error)?.message ?? err));
  }
  return result as T;
}

/** As Realtime does: the caller's role, the channel in `realtime.topic`, the claims. */
async function setContext(tx: Tx, ctx: AuthContext) {
  const role = ctx.claims.role;
  const sub = typeof ctx.claims.sub === 'string' ? ctx.claims.sub : '';
  await tx`select set_config('role', ${role}, true),
                  set_config('realtime.topic', ${ctx.topic}, true),
                  set_config('request.jwt.claims', ${JSON.stringify(ctx.claims)}, true),
                  set_config('request.jwt.claim.sub', ${sub}, true),
                  set_config('request.jwt.claim.role', ${role}, true),
                  set_config('request.headers', ${JSON.stringify(ctx.headers)}, true)`;
}

/**
 * Read access, as Realtime checks it: probe rows for the topic are inserted, then selected
 * as the caller; the rows the caller's `select` policies let through grant read. Everything
 * is rolled back.
 */
export function readPolicies(
  db: Sql,
  ctx: AuthContext,
  prior: Policies,
  extensions: Extension[],
): Promise<Policies> {
  return rolledBack(db, async (tx) => {
    const probes = extensions.map((extension) => ({ extension, id: randomUUID() }));
    for (const p of probes) {
      await tx`insert into realtime.messages (id, topic, extension)
               values (${p.id}, ${ctx.topic}, ${p.extension})`;
    }
    await setContext(tx, ctx);
    const ids = probes.map((p) => p.id);
    const seen = await tx`select id from realtime.messages where id = any(${ids}::uuid[])`;
    const visible = new Set(seen.map((r) => r.id as string));
    const next: Policies = { broadcast: { ...prior.broadcast }, presence: { ...prior.presence } };
    for (const p of probes) next[p.extension].read = visible.has(p.id);
    return next;
  });
}

/**
 * Write access: a row for the topic is inserted as the caller; an `insert` policy that lets
 * it through grants write. Rolled back.
 */
export function writePolicies(
  db: Sql,
  ctx: AuthContext,
  prior: Policies,
  extensions: Extension[],
): Promise<Policies> {
  return rolledBack(db, async (tx) => {
    await setContext(tx, ctx);
    const next: Policies = { broadcast: { ...prior.broadcast }, presence: { ...prior.presence } };
    for (const extension of ['broadcast', 'presence'] as const) {
      if (!extensions.includes(extension)) {
        next[extension].write = false;
        continue;
      }
      try {
        await tx.savepoint(
          (sp) => sp`insert into realtime.messages (topic, extension)
                     values (${ctx.topic}, ${extension})`,
        );
        next[extension].write = true;
      } catch (err) {
        if ((err as { code?: string })?.code !== '42501') throw err;
        next[extension].write = false;
      }
    }
    return next;
  });
}
