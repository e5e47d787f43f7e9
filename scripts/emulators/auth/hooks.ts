import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../shared/clock.ts';
import type { Sql, Tx } from '../../../shared/db/client.ts';
import { AuthError } from './errors.ts';
import type { Hook } from './hook-settings.ts';

/** GoTrue's `v0hooks` names, sent in each input's `metadata.name`. */
export type HookEvent = 'customize-access-token' | 'password-verification' | 'mfa-verification';

/** GoTrue stops a Postgres hook after 2 s (`statement_timeout`). */
const HOOK_TIMEOUT_MS = 2000;

/** GoTrue's `Metadata`, the first field of every hook input. */
export function hookMetadata(event: HookEvent, clock: Clock, ip: string) {
  return {
    uuid: randomUUID(),
    time: new Date(clock.now()).toISOString(),
    name: event,
    ...(ip ? { ip_address: ip } : {}),
  };
}

// biome-ignore lint/suspicious/noExplicitAny: whatever JSON the hook function returned, checked by each caller
export type HookOutput = Record<string, any>;

async function call(tx: Tx, hook: Hook, input: unknown): Promise<unknown> {
  // GoTrue's database user is supabase_auth_admin: a function that lacks its grant fails
  // here as it would in production.
  // One message for both settings; the call is prepared (a hook's name is fixed by the
  // settings), so it is not described again before every token.
  await tx.unsafe(
    `set local role supabase_auth_admin; set local statement_timeout to '${HOOK_TIMEOUT_MS}'`,
  );
  // functionName was checked and quoted when the settings were read.
  const rows = await tx.unsafe(
    `select ${hook.functionName}($1::text::jsonb) as out`,
    [JSON.stringify(input)],
    { prepare: true },
  );
  return rows[0]?.out ?? null;
}

/**
 * GoTrue's `hookserrors.Check`: `{error: {http_code, message}}` with a message is the hook
 * refusing; the status defaults to 500 and the error carries no code of its own.
 */
function refusal(out: unknown): AuthError | undefined {
  const error = (out as { error?: { http_code?: unknown; message?: unknown } } | null)?.error;
  if (!error || typeof error !== 'object' || typeof error.message !== 'string' || !error.message)
    return undefined;
  const status = Number(error.http_code) || 500;
  return new AuthError(status, '', error.message);
}

/**
 * Runs a Postgres Auth hook as GoTrue's `hookspgfunc` dispatcher does: `select
 * "<schema>"."<function>"(input)` as supabase_auth_admin with a 2 s statement timeout.
 * Inside `tx` (the custom access token hook runs in the token's transaction) it uses a
 * savepoint; given the pool, it opens a transaction of its own, which commits whatever the
 * hook wrote even when the request then fails (as the verification attempt hooks rely on).
 * Database failures answer 500 "Error running hook URI"; a hook's own error object is
 * passed on. Returns the output object, or `{}` when the function returned null.
 */
export async function runHook(db: Sql | Tx, hook: Hook, input: unknown): Promise<HookOutput> {
  let out: unknown;
  try {
    if ('savepoint' in db) {
      out = await db.savepoint((sp) => call(sp as unknown as Tx, hook, input));
      await db.unsafe('reset role; set local statement_timeout to default');
    } else {
      out = await db.begin((tx) => call(tx, hook, input));
    }
  } catch (cause) {
    throw new AuthError(
      500,
      'unexpected_failure',
      `Error running hook URI: ${hook.uri}`,
      {},
      cause,
    );
  }
  const refused = refusal(out);
  if (refused) throw refused;
  if (out === null) return {};
  if (typeof out !== 'object' || Array.isArray(out)) {
    throw new AuthError(500, 'unexpected_failure', 'Error unmarshaling JSON output.');
  }
  return out as HookOutput;
}

/** The `{decision, message, …}` of a verification attempt hook, typed as GoTrue decodes it. */
export function readDecision(out: HookOutput): {
  reject: boolean;
  message: string;
  shouldLogoutUser: boolean;
} {
  const badType =
    (out.decision !== undefined && out.decision !== null && typeof out.decision !== 'string') ||
    (out.message !== undefined && out.message !== null && typeof out.message !== 'string') ||
    (out.should_logout_user !== undefined &&
      out.should_logout_user !== null &&
      typeof out.should_logout_user !== 'boolean');
  if (badType) throw new AuthError(500, 'unexpected_failure', 'Error unmarshaling JSON output.');
  return {
    reject: out.decision === 'reject',
    message: typeof out.message === 'string' ? out.message : '',
    shouldLogoutUser: out.should_logout_user === true,
  };
}
