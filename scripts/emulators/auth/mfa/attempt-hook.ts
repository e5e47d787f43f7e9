import { clientIp, type EmuContext } from '../context.ts';
import { forbidden } from '../errors.ts';
import { hookMetadata, readDecision, runHook } from '../hooks.ts';
import type { UserRow } from '../users.ts';
import type { FactorRow } from './factors.ts';

/** GoTrue's default when an MFA hook rejects without a message of its own. */
export const DEFAULT_MFA_REJECTION = 'Further MFA verification attempts will be rejected.';

/**
 * The MFA Verification Attempt hook, after every TOTP check against a usable challenge:
 * `{metadata, user_id, factor_id, factor_type, valid}` in, `{decision, message}` out, in a
 * transaction of its own. A `reject` always ends every session of the user and answers
 * 403 `mfa_verification_rejected` with the hook's message.
 */
export async function mfaAttemptHook(
  c: EmuContext,
  user: UserRow,
  factor: FactorRow,
  valid: boolean,
) {
  const { db, settings, clock } = c.var.deps;
  const hook = settings.hooks.mfa_verification_attempt;
  if (!hook) return;
  const out = await runHook(db, hook, {
    metadata: hookMetadata('mfa-verification', clock, clientIp(c)),
    user_id: user.id,
    factor_id: factor.id,
    factor_type: factor.factor_type,
    valid,
  });
  const decision = readDecision(out);
  if (!decision.reject) return;
  await db`delete from auth.sessions where user_id = ${user.id}`;
  throw forbidden('mfa_verification_rejected', decision.message || DEFAULT_MFA_REJECTION);
}
