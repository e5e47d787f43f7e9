import type { Hono } from 'hono';
import { validPhone } from '../admin/common.ts';
import { body, type Caller, type EmuContext, type EmuEnv, limit, requireUser } from '../context.ts';
import { AuthError, forbidden, unprocessable } from '../errors.ts';
import { changeEmail, changePassword } from '../flows/user-update.ts';
import { sessionAal } from '../mfa/factors.ts';
import { requireStrongPassword } from '../password-rules.ts';
import { userJson } from '../users.ts';
import { metadata, validEmail } from '../validate.ts';

interface UpdateBody {
  email?: unknown;
  phone?: unknown;
  password?: unknown;
  data?: unknown;
  app_metadata?: unknown;
  nonce?: unknown;
}

/** Top-level merge, as GoTrue does: a key set to null is removed. */
function mergeMetadata(current: Record<string, unknown>, patch: Record<string, unknown>) {
  const out = { ...current, ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === null) delete out[k];
  return out;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * GoTrue's checks before `PUT /user` changes anything, in its order: email and phone
 * format, password strength, app metadata (admins only), then aal2 for a user with MFA.
 */
async function validateUpdate(c: EmuContext, caller: Caller, input: UpdateBody) {
  const email = str(input.email) ? validEmail(input.email) : '';
  const phone = str(input.phone) ? validPhone(str(input.phone)) : '';
  const password = input.password == null ? undefined : String(input.password);
  if (password !== undefined) {
    requireStrongPassword(c.var.deps.settings, password, [caller.user.email ?? '']);
  }
  if (input.app_metadata != null) {
    throw forbidden('not_admin', 'Updating app_metadata requires admin privileges');
  }
  const changes =
    Boolean(password) ||
    (email !== '' && email !== caller.user.email) ||
    (phone !== '' && phone !== (caller.user.phone ?? ''));
  if (changes) {
    const [mfa] = await c.var.deps.db`
      select 1 from auth.mfa_factors where user_id = ${caller.user.id} and status = 'verified' limit 1`;
    if (mfa && (await sessionAal(c.var.deps.db, caller.sessionId)) !== 'aal2') {
      throw new AuthError(
        401,
        'insufficient_aal',
        'AAL2 session is required to update email or password when MFA is enabled.',
      );
    }
  }
  return { email, phone, password };
}

/** `GET /user` and `PUT /user` (metadata, password, email change). */
export function registerUser(app: Hono<EmuEnv>): void {
  app.get('/user', async (c) => {
    const { user } = await requireUser(c);
    return c.json(await userJson(c.var.deps.db, user));
  });

  app.put('/user', async (c) => {
    const caller = await requireUser(c);
    limit(c, 'user');
    const input = await body<UpdateBody>(c);
    const { email, phone, password } = await validateUpdate(c, caller, input);
    const { db } = c.var.deps;
    if (phone && phone !== (caller.user.phone ?? '')) {
      const [taken] =
        await db`select 1 from auth.users where phone = ${phone} and id <> ${caller.user.id}`;
      if (taken)
        throw unprocessable(
          'phone_exists',
          'A user with this phone number has already been registered',
        );
    }
    const user = await db.begin(async (tx) => {
      if (password !== undefined) await changePassword(tx, c, caller, password, input.nonce);
      if (input.data !== undefined) {
        const merged = mergeMetadata(caller.user.raw_user_meta_data ?? {}, metadata(input.data));
        await tx`update auth.users set raw_user_meta_data = ${tx.json(merged as never)}, updated_at = now()
                 where id = ${caller.user.id}`;
      }
      const mails = email ? await changeEmail(tx, c, caller, email) : [];
      // A phone change needs an SMS, and this emulator has no SMS provider: GoTrue's answer.
      if (phone && phone !== (caller.user.phone ?? '')) {
        throw new AuthError(500, 'unexpected_failure', 'Unable to get SMS provider');
      }
      const [fresh] = await tx`select * from auth.users where id = ${caller.user.id}`;
      return { json: await userJson(tx, fresh as Caller['user']), mails };
    });
    // Mail goes out only for a change that committed.
    for (const mail of user.mails) c.var.deps.mailbox.send(mail);
    return c.json(user.json);
  });
}
