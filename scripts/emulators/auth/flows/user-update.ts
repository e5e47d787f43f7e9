import type { Tx } from '../../../../shared/db/client.ts';
import { type Caller, type EmuContext, nowDate, safeRedirect } from '../context.ts';
import { unprocessable } from '../errors.ts';
import { verifyLink } from '../links.ts';
import type { Mailbox } from '../mail.ts';
import { clearToken, issueToken, tokenHash } from '../otp.ts';
import { checkPassword, findUserByEmail, hashPassword } from '../users.ts';

/**
 * GoTrue's password change in `PUT /user` (strength was checked first): a reauthentication
 * nonce, when given, must be the live one; the new password must differ from the old; every
 * other session ends, so a stolen one is cut off.
 */
export async function changePassword(
  tx: Tx,
  c: EmuContext,
  caller: Caller,
  password: string,
  nonce: unknown,
) {
  const { settings, clock } = c.var.deps;
  if (typeof nonce === 'string' && nonce) {
    const expected = caller.user.reauthentication_token;
    const sentAt = caller.user.reauthentication_sent_at
      ? new Date(caller.user.reauthentication_sent_at).getTime()
      : 0;
    const fresh = clock.now() - sentAt < settings.otpExpiry * 1000;
    if (!expected || !fresh || expected !== tokenHash(String(caller.user.email), nonce)) {
      throw unprocessable('reauthentication_not_valid', 'Nonce has expired or is invalid');
    }
    await clearToken(tx, caller.user.id, 'reauthentication_token');
  }
  if (password && (await checkPassword(caller.user, password))) {
    throw unprocessable('same_password', 'New password should be different from the old password.');
  }
  await tx`update auth.users set encrypted_password = ${await hashPassword(password)}, updated_at = now()
           where id = ${caller.user.id}`;
  await tx`delete from auth.sessions where user_id = ${caller.user.id} and id <> ${caller.sessionId}`;
}

type OutgoingMail = Parameters<Mailbox['send']>[0];

/** Returns the mails to send once the change has committed. */
export async function changeEmail(
  tx: Tx,
  c: EmuContext,
  caller: Caller,
  email: string,
): Promise<OutgoingMail[]> {
  const { settings, limiter } = c.var.deps;
  const mails: OutgoingMail[] = [];
  if (email === caller.user.email) return mails;
  const taken = await findUserByEmail(tx, email);
  if (taken && taken.id !== caller.user.id) {
    throw unprocessable(
      'email_exists',
      'A user with this email address has already been registered',
    );
  }
  if (settings.autoconfirm) {
    await tx`update auth.users set email = ${email}, updated_at = now() where id = ${caller.user.id}`;
    await tx`update auth.identities set identity_data = identity_data || ${tx.json({ email })}
             where user_id = ${caller.user.id} and provider = 'email'`;
    return mails;
  }
  limiter.email(settings.rateLimits.emailSent);
  const redirectTo = safeRedirect(settings, c.req.query('redirect_to'));
  await tx`update auth.users set email_change = ${email}, email_change_confirm_status = 0 where id = ${caller.user.id}`;
  const at = nowDate(c.var.deps);
  const next = await issueToken(
    tx,
    caller.user,
    'email_change_token_new',
    email,
    settings.otpLength,
    at,
  );
  mails.push({
    to: email,
    kind: 'email_change',
    otp: next.otp,
    link: verifyLink(settings, next.hash, 'email_change', redirectTo),
  });
  if (caller.user.email) {
    const current = await issueToken(
      tx,
      caller.user,
      'email_change_token_current',
      caller.user.email,
      settings.otpLength,
      at,
    );
    mails.push({
      to: caller.user.email,
      kind: 'email_change',
      otp: current.otp,
      link: verifyLink(settings, current.hash, 'email_change', redirectTo),
    });
  }
  return mails;
}
