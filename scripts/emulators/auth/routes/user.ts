import type { Hono } from 'hono';
import type { Tx } from '../../../../shared/db/client.ts';
import {
  body,
  type Caller,
  clientIp,
  type EmuContext,
  type EmuEnv,
  requireUser,
  safeRedirect,
} from '../context.ts';
import { unprocessable } from '../errors.ts';
import { verifyLink } from '../links.ts';
import type { Mailbox } from '../mail.ts';
import { clearToken, issueToken, tokenHash } from '../otp.ts';
import { checkPassword, findUserByEmail, hashPassword, userJson } from '../users.ts';
import { metadata, strongPassword, validEmail } from '../validate.ts';

interface UpdateBody {
  email?: unknown;
  password?: unknown;
  data?: unknown;
  nonce?: unknown;
}

/** Top-level merge, as GoTrue does: a key set to null is removed. */
function mergeMetadata(current: Record<string, unknown>, patch: Record<string, unknown>) {
  const out = { ...current, ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === null) delete out[k];
  return out;
}

async function changePassword(
  tx: Tx,
  c: EmuContext,
  caller: Caller,
  password: string,
  nonce: unknown,
) {
  const { settings } = c.var.deps;
  if (await checkPassword(caller.user, password)) {
    throw unprocessable('same_password', 'New password should be different from the old password.');
  }
  if (typeof nonce === 'string' && nonce) {
    const expected = caller.user.reauthentication_token;
    const sentAt = caller.user.reauthentication_sent_at
      ? new Date(caller.user.reauthentication_sent_at).getTime()
      : 0;
    const fresh = Date.now() - sentAt < settings.otpExpiry * 1000;
    if (!expected || !fresh || expected !== tokenHash(String(caller.user.email), nonce)) {
      throw unprocessable('reauthentication_not_valid', 'Nonce has expired or is invalid');
    }
    await clearToken(tx, caller.user.id, 'reauthentication_token');
  }
  strongPassword(settings, password);
  await tx`update auth.users set encrypted_password = ${await hashPassword(password)}, updated_at = now()
           where id = ${caller.user.id}`;
  // A new password ends every other session, so a stolen one is cut off.
  await tx`delete from auth.sessions where user_id = ${caller.user.id} and id <> ${caller.sessionId}`;
}

type OutgoingMail = Parameters<Mailbox['send']>[0];

/** Returns the mails to send once the change has committed. */
async function changeEmail(
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
  limiter.check(
    'email_sent',
    'global',
    settings.rateLimits.emailSent,
    'over_email_send_rate_limit',
  );
  const redirectTo = safeRedirect(settings, c.req.query('redirect_to'));
  await tx`update auth.users set email_change = ${email}, email_change_confirm_status = 0 where id = ${caller.user.id}`;
  const next = await issueToken(
    tx,
    caller.user,
    'email_change_token_new',
    email,
    settings.otpLength,
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

/** `GET /user` and `PUT /user` (metadata, password, email change). */
export function registerUser(app: Hono<EmuEnv>): void {
  app.get('/user', async (c) => {
    const { user } = await requireUser(c);
    return c.json(await userJson(c.var.deps.db, user));
  });

  app.put('/user', async (c) => {
    const caller = await requireUser(c);
    const input = await body<UpdateBody>(c);
    c.var.deps.limiter.check(
      'user_update',
      clientIp(c),
      c.var.deps.settings.rateLimits.signInSignUps,
    );
    const user = await c.var.deps.db.begin(async (tx) => {
      if (input.data !== undefined) {
        const merged = mergeMetadata(caller.user.raw_user_meta_data ?? {}, metadata(input.data));
        await tx`update auth.users set raw_user_meta_data = ${tx.json(merged as never)}, updated_at = now()
                 where id = ${caller.user.id}`;
      }
      if (input.password !== undefined)
        await changePassword(tx, c, caller, String(input.password), input.nonce);
      const mails =
        input.email !== undefined ? await changeEmail(tx, c, caller, validEmail(input.email)) : [];
      const [fresh] = await tx`select * from auth.users where id = ${caller.user.id}`;
      return { json: await userJson(tx, fresh as Caller['user']), mails };
    });
    // Mail goes out only for a change that committed.
    for (const mail of user.mails) c.var.deps.mailbox.send(mail);
    return c.json(user.json);
  });
}
