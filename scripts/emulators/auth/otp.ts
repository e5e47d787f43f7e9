import { createHash, randomInt } from 'node:crypto';
import type { Tx } from '../../../shared/db/client.ts';
import type { UserRow } from './users.ts';

/** Where GoTrue keeps each kind of one-time token on the user row, and its sent-at column. */
export const TOKEN_KINDS = {
  confirmation_token: { column: 'confirmation_token', sentAt: 'confirmation_sent_at' },
  recovery_token: { column: 'recovery_token', sentAt: 'recovery_sent_at' },
  email_change_token_new: { column: 'email_change_token_new', sentAt: 'email_change_sent_at' },
  email_change_token_current: {
    column: 'email_change_token_current',
    sentAt: 'email_change_sent_at',
  },
  reauthentication_token: { column: 'reauthentication_token', sentAt: 'reauthentication_sent_at' },
} as const;

export type TokenKind = keyof typeof TOKEN_KINDS;

/** GoTrue's token hash: hex SHA-224 of the address followed by the OTP. */
export const tokenHash = (address: string, otp: string) =>
  createHash('sha224')
    .update(address + otp)
    .digest('hex');

export const newOtp = (length: number) => Array.from({ length }, () => randomInt(0, 10)).join('');

/**
 * Issues a one-time token: the hash goes on the user row and in `auth.one_time_tokens`
 * (one live token per user and kind), the plain OTP goes only into the mail.
 */
export async function issueToken(
  tx: Tx,
  user: UserRow,
  kind: TokenKind,
  address: string,
  otpLength: number,
  at: Date,
): Promise<{ otp: string; hash: string }> {
  const otp = newOtp(otpLength);
  const hash = tokenHash(address.toLowerCase(), otp);
  const { column, sentAt } = TOKEN_KINDS[kind];
  // The sent-at time decides the token's expiry, so it comes from the emulator's clock.
  await tx.unsafe(
    `update auth.users set ${column} = $1, ${sentAt} = $3, updated_at = $3 where id = $2`,
    [hash, user.id, at],
  );
  await tx`
    insert into auth.one_time_tokens (id, user_id, token_type, token_hash, relates_to, created_at, updated_at)
    values (gen_random_uuid(), ${user.id}, ${kind}, ${hash}, ${address.toLowerCase()}, ${at}, ${at})
    on conflict (user_id, token_type)
    do update set token_hash = excluded.token_hash, relates_to = excluded.relates_to, updated_at = ${at}`;
  return { otp, hash };
}

/** Consumes a token: clears it from the user row and `auth.one_time_tokens`. */
export async function clearToken(tx: Tx, userId: string, kind: TokenKind): Promise<void> {
  await tx.unsafe(`update auth.users set ${TOKEN_KINDS[kind].column} = '' where id = $1`, [userId]);
  await tx`delete from auth.one_time_tokens where user_id = ${userId} and token_type = ${kind}`;
}
