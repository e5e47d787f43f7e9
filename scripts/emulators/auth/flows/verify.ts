import type { Hono } from 'hono';
import type { Tx } from '../../../../shared/db/client.ts';
import {
  body,
  clientIp,
  type EmuContext,
  type EmuEnv,
  limit,
  nowDate,
  safeRedirect,
} from '../context.ts';
import { AuthError, badRequest, forbidden, unprocessable } from '../errors.ts';
import { startSession } from '../sessions.ts';
import type { UserRow } from '../users.ts';
import { validEmail } from '../validate.ts';
import { applyVerification, SINGLE_CONFIRMATION } from './confirm.ts';
import { findByHash, findByOtp, VERIFY_TYPES, type VerifyType } from './lookup.ts';
import { PKCE_PREFIX, pendingFlow } from './mailer.ts';
import {
  codeRedirect,
  implicitRedirect,
  messageRedirect,
  verifyErrorRedirect,
} from './redirect.ts';

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const stripPrefix = (token: string) =>
  token.startsWith(PKCE_PREFIX) ? token.slice(PKCE_PREFIX.length) : token;

/** A verified link or code signs the user in; GoTrue records it as the `otp` method. */
const session = (c: EmuContext, tx: Tx, user: UserRow) =>
  startSession(tx, c.var.deps, user, {
    method: 'otp',
    userAgent: c.req.header('user-agent'),
    ip: clientIp(c),
  });

type LinkOutcome =
  | { kind: 'session'; tokens: Awaited<ReturnType<typeof startSession>>; type: string }
  | { kind: 'code'; code: string }
  | { kind: 'message' };

/**
 * `GET /verify`, the link in the mail. It always answers with a 303 to the (allowed)
 * `redirect_to`: tokens in the fragment for the implicit flow, `?code=` when a PKCE flow
 * waits for this user and kind, and errors in the fragment (and query, for PKCE).
 */
async function verifyLinkGet(c: EmuContext) {
  const { db, settings } = c.var.deps;
  limit(c, 'verify');
  const type = c.req.query('type') ?? '';
  const token = c.req.query('token') ?? '';
  if (!type) throw badRequest('validation_failed', 'Verify requires a verification type');
  if (!token) throw badRequest('validation_failed', 'Verify requires a token or a token hash');
  const redirectTo = safeRedirect(settings, c.req.query('redirect_to'));
  let pkce = token.startsWith(PKCE_PREFIX);
  try {
    const outcome = await db.begin(async (tx): Promise<LinkOutcome> => {
      if (!VERIFY_TYPES.has(type)) {
        throw badRequest('validation_failed', 'Invalid email verification type');
      }
      const match = await findByHash(tx, c.var.deps, type as VerifyType, stripPrefix(token));
      const flow = await pendingFlow(tx, match.user.id, match.type);
      pkce ||= Boolean(flow);
      const user = await applyVerification(tx, match);
      if (!user) return { kind: 'message' };
      if (!pkce) return { kind: 'session', tokens: await session(c, tx, user), type: match.type };
      if (!flow) {
        throw badRequest(
          'flow_state_not_found',
          'No associated flow state found. No valid flow state found for user.',
        );
      }
      // The exchange window starts now, not when the mail was sent.
      const now = nowDate(c.var.deps);
      await tx`update auth.flow_state set auth_code_issued_at = ${now}, updated_at = ${now} where id = ${flow.id}`;
      return { kind: 'code', code: flow.auth_code };
    });
    if (outcome.kind === 'message') {
      return c.redirect(messageRedirect(redirectTo, SINGLE_CONFIRMATION, pkce), 303);
    }
    if (outcome.kind === 'code') return c.redirect(codeRedirect(redirectTo, outcome.code), 303);
    return c.redirect(implicitRedirect(redirectTo, outcome.tokens, { type: outcome.type }), 303);
  } catch (err) {
    if (err instanceof AuthError)
      return c.redirect(verifyErrorRedirect(redirectTo, err, pkce), 303);
    throw err;
  }
}

/** GoTrue's checks on a `POST /verify` body, with its messages. */
function readVerifyBody(input: Record<string, unknown>) {
  const type = str(input.type);
  const token = str(input.token);
  const hash = str(input.token_hash);
  const email = str(input.email);
  const phone = str(input.phone);
  if (!type) throw badRequest('validation_failed', 'Verify requires a verification type');
  if (!token === !hash) {
    throw badRequest('validation_failed', 'Verify requires either a token or a token hash');
  }
  if (hash) {
    if (email || phone || input.redirect_to) {
      throw badRequest('validation_failed', 'Only the token_hash and type should be provided');
    }
    if (!VERIFY_TYPES.has(type)) {
      throw badRequest('validation_failed', 'Invalid email verification type');
    }
    return { type: type as VerifyType, hash: stripPrefix(hash) };
  }
  if (!email === !phone) {
    throw badRequest(
      'validation_failed',
      'Only an email address or phone number should be provided on verify',
    );
  }
  // The emulator has no phone users, so a phone OTP can only be wrong.
  if (phone) throw forbidden('otp_expired', 'Token has expired or is invalid');
  let address: string;
  try {
    address = validEmail(email);
  } catch {
    throw unprocessable('validation_failed', 'Invalid email format');
  }
  if (!VERIFY_TYPES.has(type))
    throw badRequest('validation_failed', 'Unsupported verification type');
  return { type: type as VerifyType, email: address, token };
}

/**
 * `POST /verify`: an OTP with its email, or a token hash, for a session (the same JSON as
 * the password grant). The first half of a secure email change answers with GoTrue's
 * `{msg, code}` notice instead.
 */
async function verifyPost(c: EmuContext) {
  const { db } = c.var.deps;
  limit(c, 'verify');
  const params = readVerifyBody(await body(c));
  const result = await db.begin(async (tx) => {
    const match =
      'hash' in params
        ? await findByHash(tx, c.var.deps, params.type, params.hash ?? '')
        : await findByOtp(tx, c.var.deps, params.type, params.email, params.token);
    const user = await applyVerification(tx, match);
    return user ? session(c, tx, user) : undefined;
  });
  if (!result) return c.json({ msg: SINGLE_CONFIRMATION, code: '200' });
  return c.json(result);
}

export function registerVerify(app: Hono<EmuEnv>): void {
  app.get('/verify', verifyLinkGet);
  app.post('/verify', verifyPost);
}
