import type { Tx } from '../../../../shared/db/client.ts';
import type { EmulatorDeps } from '../context.ts';
import { verifyLink } from '../links.ts';
import type { Mailbox, MailKind } from '../mail.ts';
import { issueToken, type TokenKind } from '../otp.ts';
import { type ChallengeMethod, createFlowState } from '../pkce.ts';
import type { UserRow } from '../users.ts';

/**
 * GoTrue marks the token of a PKCE mail with this prefix, so `GET /verify` knows to answer
 * with a code; the stored hash stays bare, the link carries the prefix.
 */
export const PKCE_PREFIX = 'pkce_';

/** The flow state's authentication method for each link type (GoTrue's ParseAuthenticationMethod). */
export const FLOW_METHOD = {
  signup: 'email/signup',
  invite: 'invite',
  magiclink: 'magiclink',
  recovery: 'recovery',
  email_change: 'email_change',
} as const;

export type LinkType = keyof typeof FLOW_METHOD;

export interface PendingMail {
  to: string;
  kind: MailKind;
  otp: string;
  link?: string;
}

/**
 * Issues a one-time token and prepares the mail carrying it. The mail is only handed to the
 * mailbox once the transaction has committed (`deliver`), so a rolled-back request never
 * leaves a mail whose token does not exist.
 */
export async function tokenMail(
  tx: Tx,
  deps: EmulatorDeps,
  user: UserRow,
  spec: {
    kind: TokenKind;
    mail: MailKind;
    address: string;
    link?: { type: LinkType; redirectTo: string; pkce: boolean };
  },
): Promise<PendingMail> {
  const { settings, limiter } = deps;
  limiter.email(settings.rateLimits.emailSent);
  const { otp, hash } = await issueToken(
    tx,
    user,
    spec.kind,
    spec.address,
    settings.otpLength,
    new Date(deps.clock.now()),
  );
  const link =
    spec.link &&
    verifyLink(
      settings,
      spec.link.pkce ? `${PKCE_PREFIX}${hash}` : hash,
      spec.link.type,
      spec.link.redirectTo,
    );
  return { to: spec.address.toLowerCase(), kind: spec.mail, otp, link };
}

export function deliver(mailbox: Mailbox, mails: PendingMail[]): void {
  for (const mail of mails) mailbox.send(mail);
}

/**
 * Records the PKCE flow a mailed link will complete. Older flows of the same user and kind
 * go first: the new mail replaces the old token, and an implicit request must not have its
 * link answered with a code that no client holds the verifier for.
 */
export async function recordFlow(
  tx: Tx,
  at: Date,
  userId: string,
  type: LinkType,
  pkce: { challenge: string; method: ChallengeMethod } | undefined,
): Promise<void> {
  const method = FLOW_METHOD[type];
  await tx`delete from auth.flow_state where user_id = ${userId} and authentication_method = ${method}`;
  if (!pkce) return;
  await createFlowState(tx, at, {
    userId,
    challenge: pkce.challenge,
    method: pkce.method,
    // GoTrue names email sign-ups' provider `email`, and the others after their method.
    providerType: type === 'signup' ? 'email' : method,
    authenticationMethod: method,
  });
}

/** The newest flow waiting for this user's link of one kind, if the request was PKCE. */
export async function pendingFlow(tx: Tx, userId: string, type: LinkType) {
  const [flow] = await tx<{ id: string; auth_code: string }[]>`
    select id, auth_code from auth.flow_state
     where user_id = ${userId} and authentication_method = ${FLOW_METHOD[type]}
     order by created_at desc limit 1`;
  return flow;
}
