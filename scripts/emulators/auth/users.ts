import bcrypt from 'bcryptjs';
import type { Clock } from '../../../shared/clock.ts';
import type { Sql, Tx } from '../../../shared/db/client.ts';

export type Db = Sql | Tx;
// biome-ignore lint/suspicious/noExplicitAny: an auth.users row; its many GoTrue columns are read by name
export type UserRow = Record<string, any> & { id: string; email: string | null };

export const INSTANCE_ID = '00000000-0000-0000-0000-000000000000';
const BCRYPT_COST = 10;

export const hashPassword = (password: string) => bcrypt.hash(password, BCRYPT_COST);

const DUMMY_HASH = bcrypt.hashSync('not-a-password', BCRYPT_COST);

/** Compares against a dummy hash when the user has none, so timing does not tell. */
export async function checkPassword(user: UserRow | undefined, password: string): Promise<boolean> {
  const ok = await bcrypt.compare(password, user?.encrypted_password || DUMMY_HASH);
  return ok && Boolean(user?.encrypted_password);
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  const [row] = await db<UserRow[]>`
    select * from auth.users where lower(email) = lower(${email}) and is_sso_user = false and deleted_at is null`;
  return row;
}

export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const [row] = await db<
    UserRow[]
  >`select * from auth.users where id = ${id} and deleted_at is null`;
  return row;
}

/** A new email user and their `email` identity, as GoTrue writes them. */
export async function insertEmailUser(
  db: Db,
  input: {
    email: string;
    password?: string;
    userMetadata?: Record<string, unknown>;
    appMetadata?: Record<string, unknown>;
    confirmed: boolean;
    provider?: string;
  },
): Promise<UserRow> {
  const provider = input.provider ?? 'email';
  const appMeta = { provider, providers: [provider], ...(input.appMetadata ?? {}) };
  const hash = input.password ? await hashPassword(input.password) : '';
  const [user] = await db<UserRow[]>`
    insert into auth.users (
      instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
      raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
      confirmation_token, recovery_token, email_change_token_new, email_change)
    values (
      ${INSTANCE_ID}, gen_random_uuid(), 'authenticated', 'authenticated', lower(${input.email}), ${hash},
      ${input.confirmed ? new Date() : null}, ${db.json(appMeta as never)}, ${db.json((input.userMetadata ?? {}) as never)},
      now(), now(), '', '', '', '')
    returning *`;
  if (!user) throw new Error('insert into auth.users returned nothing');
  const identityData = {
    sub: user.id,
    email: user.email,
    email_verified: input.confirmed,
    phone_verified: false,
    ...(input.userMetadata ?? {}),
  };
  await db`
    insert into auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at)
    values (${user.id}, ${user.id}, ${db.json(identityData as never)}, 'email', now(), now())`;
  return user;
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : (v ?? undefined));

/** The user object of GoTrue's API (`GET /user`, sessions, admin). */
export async function userJson(db: Db, user: UserRow): Promise<Record<string, unknown>> {
  const identities = await db`
    select * from auth.identities where user_id = ${user.id} order by created_at`;
  const factors = await db`
    select id, friendly_name, factor_type, status, created_at, updated_at, last_challenged_at
      from auth.mfa_factors where user_id = ${user.id} order by created_at`;
  const out: Record<string, unknown> = {
    id: user.id,
    aud: user.aud ?? 'authenticated',
    role: user.role ?? 'authenticated',
    email: user.email ?? '',
    email_confirmed_at: iso(user.email_confirmed_at),
    phone: user.phone ?? '',
    confirmation_sent_at: iso(user.confirmation_sent_at),
    confirmed_at: iso(user.confirmed_at),
    recovery_sent_at: iso(user.recovery_sent_at),
    new_email: user.email_change || undefined,
    email_change_sent_at: iso(user.email_change_sent_at),
    last_sign_in_at: iso(user.last_sign_in_at),
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    identities: identities.map((i) => ({
      identity_id: i.id,
      id: i.provider_id,
      user_id: i.user_id,
      identity_data: i.identity_data,
      provider: i.provider,
      last_sign_in_at: iso(i.last_sign_in_at),
      created_at: iso(i.created_at),
      updated_at: iso(i.updated_at),
      email: i.email ?? undefined,
    })),
    created_at: iso(user.created_at),
    updated_at: iso(user.updated_at),
    banned_until: iso(user.banned_until),
    is_anonymous: user.is_anonymous ?? false,
  };
  if (factors.length) {
    out.factors = factors.map((f) => ({
      id: f.id,
      friendly_name: f.friendly_name ?? undefined,
      factor_type: f.factor_type,
      status: f.status,
      created_at: iso(f.created_at),
      updated_at: iso(f.updated_at),
      last_challenged_at: iso(f.last_challenged_at),
    }));
  }
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
}

/** Whether the user's ban still runs at the clock's time. */
export const isBanned = (user: UserRow, clock: Clock) =>
  Boolean(user.banned_until && new Date(user.banned_until).getTime() > clock.now());
