import type { Context } from 'hono';
import type postgres from 'postgres';
import { type CallerPrincipal, dbClaims } from '../auth/principal.ts';
import type { Tx } from '../db/client.ts';
import { asService, asUser, queryAsUser } from '../db/doors.ts';
import type { AppEnv } from './context.ts';
import { currentCaller } from './middleware/auth.ts';

/**
 * The doors as a request uses them. A request holds at most one transaction at a time:
 * opening a second while the first is open would take a second pooled connection, and a
 * few such requests at once would hold the whole pool while each waits for more. So it
 * throws at once, in every test that reaches it, instead of hanging under load.
 */
async function once<T>(c: Context<AppEnv>, open: () => Promise<T>): Promise<T> {
  if (c.get('transactionOpen')) {
    throw new Error(
      'A transaction is already open for this request: use its tx, or run this after it commits',
    );
  }
  c.set('transactionOpen', true);
  try {
    return await open();
  } finally {
    c.set('transactionOpen', false);
  }
}

/**
 * Runs `fn` as the caller, with RLS (`asUser`): a signed-in user, or an app client (its
 * claims, with `client_id`, become `request.jwt.claims`, so `private.authorize()` reads its
 * roles within its token's scope).
 *
 * @example
 * const project = await withCaller(c, (tx) => findProject(tx, id));
 */
export function withCaller<T>(
  c: Context<AppEnv>,
  fn: (tx: Tx, caller: CallerPrincipal) => Promise<T>,
): Promise<T> {
  const caller = currentCaller(c.var.principal);
  return once(c, () => asUser(c.var.services.db, dbClaims(caller), (tx) => fn(tx, caller)));
}

/**
 * `withCaller` for a route whose work is one statement, in one round trip (`queryAsUser`).
 *
 * @example
 * const rows = await queryAsCaller(c, (tx) => listProjects(tx, opts));
 */
export function queryAsCaller<R extends readonly postgres.MaybeRow[]>(
  c: Context<AppEnv>,
  fn: (tx: Tx) => postgres.PendingQuery<R>,
): Promise<postgres.RowList<R>> {
  const caller = currentCaller(c.var.principal);
  return once(c, () => queryAsUser(c.var.services.db, dbClaims(caller), fn));
}

/** Runs `fn` as `service_role` (`asService`): rate limits, audit events, lockout state. */
export function withService<T>(c: Context<AppEnv>, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return once(c, () => asService(c.var.services.db, fn));
}
