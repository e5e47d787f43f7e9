import type { Context } from 'hono';
import { dbClaims, type UserPrincipal } from '../auth/principal.ts';
import type { Tx } from '../db/client.ts';
import { asService, asUser } from '../db/doors.ts';
import type { AppEnv } from './context.ts';
import { currentUser } from './middleware/auth.ts';

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
 * Runs `fn` as the signed-in caller, with RLS (`asUser`).
 *
 * @example
 * const rows = await withCaller(c, (tx) => listProjects(tx, opts));
 */
export function withCaller<T>(
  c: Context<AppEnv>,
  fn: (tx: Tx, user: UserPrincipal) => Promise<T>,
): Promise<T> {
  const user = currentUser(c.var.principal);
  return once(c, () => asUser(c.var.services.db, dbClaims(user), (tx) => fn(tx, user)));
}

/** Runs `fn` as `service_role` (`asService`): rate limits, audit events, lockout state. */
export function withService<T>(c: Context<AppEnv>, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return once(c, () => asService(c.var.services.db, fn));
}
