import type { Sql, Tx } from '../../../shared/db/client.ts';
import { ERRORS, StorageError } from './errors.ts';

/** Who a query runs as: the role PostgreSQL switches to and the claims policies read. */
export interface Scope {
  role: string;
  claims: Record<string, unknown>;
  /** The raw JWT, exposed to policies as `request.jwt`. */
  jwt: string;
}

/** What a policy may ask about the request (`request.method`, `storage.operation()`…). */
export interface RequestInfo {
  method: string;
  path: string;
  operation: string;
  headers: Record<string, string>;
}

/** Storage's own identity for work that bypasses RLS (it uses the service key's role). */
export const SERVICE_SCOPE: Scope = {
  role: 'service_role',
  claims: { role: 'service_role' },
  jwt: '',
};

const DB_ROLES = new Set(['anon', 'authenticated', 'service_role']);
const ROLLBACK = Symbol('rollback');

/**
 * The metadata database as one request sees it. Like Storage, every query runs in a
 * transaction with `role`, `request.jwt.claims` and friends set locally, so the caller's
 * RLS policies on storage.buckets and storage.objects decide, exactly as on Supabase.
 */
export class Meta {
  private readonly sql: Sql;
  private readonly caller: Scope;
  private readonly info: RequestInfo;

  constructor(sql: Sql, caller: Scope, info: RequestInfo) {
    this.sql = sql;
    this.caller = caller;
    this.info = info;
  }

  /** Runs `fn` in one transaction as the caller; `tx.as()` may switch scope inside it. */
  asCaller<T>(fn: (tx: ScopedTx) => Promise<T>): Promise<T> {
    return this.run(this.caller, fn);
  }

  /** Runs `fn` in one transaction as Storage itself (service_role, RLS bypassed). */
  asService<T>(fn: (tx: ScopedTx) => Promise<T>): Promise<T> {
    return this.run(SERVICE_SCOPE, fn);
  }

  /**
   * Runs a write as the caller (or as Storage) and rolls it back: how Storage asks RLS
   * "may this caller do it?" before it touches any bytes. Returns what `fn` returned.
   */
  async testPermission<T>(
    fn: (tx: ScopedTx) => Promise<T>,
    who: 'caller' | 'service' = 'caller',
  ): Promise<T> {
    let result: T | undefined;
    try {
      await this.run(who === 'service' ? SERVICE_SCOPE : this.caller, async (tx) => {
        result = await fn(tx);
        throw ROLLBACK;
      });
    } catch (err) {
      if (err !== ROLLBACK) throw err;
    }
    return result as T;
  }

  private async run<T>(scope: Scope, fn: (tx: ScopedTx) => Promise<T>): Promise<T> {
    try {
      return (await this.sql.begin(async (tx) => {
        const scoped = new ScopedTx(tx, this.caller, this.info);
        await scoped.as(scope === SERVICE_SCOPE ? 'service' : 'caller');
        return fn(scoped);
      })) as T;
    } catch (err) {
      throw mapPgError(err);
    }
  }
}

/** A transaction whose scope can move between the caller and Storage itself. */
export class ScopedTx {
  readonly tx: Tx;
  private readonly caller: Scope;
  private readonly info: RequestInfo;

  constructor(tx: Tx, caller: Scope, info: RequestInfo) {
    this.tx = tx;
    this.caller = caller;
    this.info = info;
  }

  async as(who: 'caller' | 'service'): Promise<void> {
    const scope = who === 'service' ? SERVICE_SCOPE : this.caller;
    // A valid JWT with a role the database lacks cannot be served; say so instead of a 500.
    if (!DB_ROLES.has(scope.role)) throw ERRORS.accessDenied('Access denied: Invalid role');
    const sub = typeof scope.claims.sub === 'string' ? scope.claims.sub : '';
    await this.tx`
      select set_config('role', ${scope.role}, true),
             set_config('request.jwt.claim.role', ${scope.role}, true),
             set_config('request.jwt', ${scope.jwt}, true),
             set_config('request.jwt.claim.sub', ${sub}, true),
             set_config('request.jwt.claims', ${JSON.stringify(scope.claims)}, true),
             set_config('request.headers', ${JSON.stringify(this.info.headers)}, true),
             set_config('request.method', ${this.info.method}, true),
             set_config('request.path', ${this.info.path}, true),
             set_config('storage.operation', ${this.info.operation}, true),
             set_config('storage.allow_delete_query', 'true', true)`;
  }
}

const isPgError = (err: unknown): err is { code: string; message: string; detail?: string } =>
  typeof err === 'object' &&
  err !== null &&
  (err as { name?: string }).name === 'PostgresError' &&
  typeof (err as { code?: unknown }).code === 'string';

/**
 * Storage's mapping of SQLSTATEs to its errors. Database messages never reach the caller:
 * an unexpected SQLSTATE becomes a 500 that names only the code.
 */
export function mapPgError(err: unknown): unknown {
  if (err instanceof StorageError || !isPgError(err)) return err;
  switch (err.code) {
    case '42501':
      return ERRORS.accessDenied(
        err.message.includes('row-level security')
          ? 'new row violates row-level security policy'
          : 'Access denied',
      );
    case '23505':
      return ERRORS.resourceAlreadyExists();
    case '23503':
      return err.detail?.includes('is still referenced')
        ? ERRORS.resourceReferenced()
        : ERRORS.relatedResourceNotFound();
    case '22P02':
      return new StorageError({
        status: 400,
        code: 'InvalidParameter',
        message: 'Invalid value format or type conversion failed',
      });
    default:
      console.error('storage emulator: database error', err.code, err.message);
      return ERRORS.databaseError(err.code);
  }
}
