-- One lockout for both sign-in doors. Supabase Auth asks two hooks about every password
-- check and every TOTP check, whichever door the guess came through (GoTrue's own
-- /token and /factors/{id}/verify, or the auth function, which calls them), so the budgets
-- below are spent by every guess, counted in the database.
--
-- - A password budget per account: a last line, high enough (100 failures an hour by
--   default) that strangers guessing from other addresses never lock the owner out below it.
--   When it is spent, password sign-in for that account pauses for a cool-down at both doors,
--   existing sessions stay, the owner is mailed once, and magic links and password resets
--   keep working under their own per-address limits.
-- - A TOTP budget per factor, much lower: only someone who already has the password can
--   guess codes at all.
--
-- Per-address limits are not here: GoTrue's hook input carries no trustworthy client address
-- (newer versions add one to `metadata`, which this does not rely on). GoTrue's own per-IP
-- limit on /token guards its door; the auth function keeps its own account+address lock.

-- The knobs, one row. Change them with SQL; the hooks read them on every call.
create table private.sign_in_settings (
  id                      boolean primary key default true constraint sign_in_settings_one_row check (id),
  password_budget         integer not null default 100 constraint sign_in_settings_password_budget check (password_budget >= 10),
  password_window_seconds integer not null default 3600 constraint sign_in_settings_password_window check (password_window_seconds >= 60),
  password_pause_seconds  integer not null default 900 constraint sign_in_settings_password_pause check (password_pause_seconds >= 60),
  totp_budget             integer not null default 10 constraint sign_in_settings_totp_budget check (totp_budget >= 3),
  totp_window_seconds     integer not null default 3600 constraint sign_in_settings_totp_window check (totp_window_seconds >= 60),
  totp_pause_seconds      integer not null default 900 constraint sign_in_settings_totp_pause check (totp_pause_seconds >= 60)
);
insert into private.sign_in_settings default values;

comment on table private.sign_in_settings is
  'Budgets of failed password (per account) and TOTP (per factor) checks, and their pauses.';

-- Failed checks in the current window, per account or per factor, and the pause they earned.
create table private.sign_in_budgets (
  subject      text primary key constraint sign_in_budgets_subject_format check (subject ~ '^(password|totp):[0-9a-f-]{36}$'),
  user_id      uuid not null references auth.users (id) on delete cascade,
  window_start timestamptz not null,
  failures     integer not null default 0,
  paused_until timestamptz
);

create index sign_in_budgets_user_id_idx on private.sign_in_budgets (user_id);

-- Mail the system sends itself (not Auth's), written in the transaction that decides to send
-- it and delivered afterwards by the worker, so a rolled-back decision sends nothing.
create table private.mail_outbox (
  id         bigint generated always as identity primary key,
  to_email   text not null constraint mail_outbox_to_length check (char_length(to_email) <= 320),
  subject    text not null constraint mail_outbox_subject_length check (char_length(subject) <= 200),
  body       text not null constraint mail_outbox_body_length check (char_length(body) <= 20000),
  created_at timestamptz not null default now(),
  sent_at    timestamptz,
  attempts   integer not null default 0,
  last_error text constraint mail_outbox_error_length check (char_length(last_error) <= 1000)
);

-- The deliverer reads pending mail oldest first.
create index mail_outbox_pending_idx on private.mail_outbox (created_at) where sent_at is null;

alter table private.sign_in_settings enable row level security;
alter table private.sign_in_budgets enable row level security;
alter table private.mail_outbox enable row level security;
revoke all on table private.sign_in_settings, private.sign_in_budgets, private.mail_outbox
  from public, anon, authenticated, service_role;
-- The worker delivers mail as service_role.
grant select, update on table private.mail_outbox to service_role;

-- Counts one check against `p_subject` at `p_at`. A failure in a window past its length
-- starts a new window; reaching `p_budget` pauses the subject until `p_at + p_pause`. Returns
-- the pause's end (null when not paused) and whether this call is the one that started it.
-- Concurrent checks of one subject serialize on its row.
create or replace function private.spend_sign_in_budget(
  p_subject text, p_user uuid, p_failed boolean, p_at timestamptz,
  p_budget integer, p_window integer, p_pause integer,
  out paused_until timestamptz, out just_paused boolean)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  b private.sign_in_budgets;
begin
  insert into private.sign_in_budgets as s (subject, user_id, window_start, failures)
  values (p_subject, p_user, p_at, 0)
  on conflict (subject) do update set user_id = excluded.user_id
  returning * into b;

  just_paused := false;
  if p_failed then
    if b.window_start <= p_at - make_interval(secs => p_window) then
      b.window_start := p_at;
      b.failures := 0;
    end if;
    b.failures := b.failures + 1;
    if b.failures >= p_budget and (b.paused_until is null or b.paused_until <= p_at) then
      b.paused_until := p_at + make_interval(secs => p_pause);
      -- A new window after the pause: the budget refills only once the pause has passed.
      b.window_start := b.paused_until;
      b.failures := 0;
      just_paused := true;
    end if;
    update private.sign_in_budgets
       set window_start = b.window_start, failures = b.failures, paused_until = b.paused_until
     where subject = p_subject;
  end if;
  paused_until := case when b.paused_until > p_at then b.paused_until end;
end;
$$;

revoke execute on function private.spend_sign_in_budget(text, uuid, boolean, timestamptz, integer, integer, integer)
  from public, anon, authenticated, service_role;

-- The time a hook call happened: GoTrue's own timestamp when it sends one (newer versions do,
-- in `metadata.time`), else the database's clock.
create or replace function private.hook_time(event jsonb)
returns timestamptz
language sql
stable
set search_path = ''
as $$
  select coalesce(
    case when jsonb_typeof(event -> 'metadata' -> 'time') = 'string'
          and pg_input_is_valid(event -> 'metadata' ->> 'time', 'timestamptz')
         then (event -> 'metadata' ->> 'time')::timestamptz end,
    clock_timestamp())
$$;

revoke execute on function private.hook_time(jsonb) from public, anon, authenticated, service_role;

-- Supabase Auth's Password Verification Attempt hook: called with {user_id, valid} after
-- every password check GoTrue makes. A wrong password spends the account's budget; while the
-- account is paused even the right password is refused, with this message, and the owner's
-- sessions are left alone (should_logout_user false). The first pause mails the owner.
create or replace function public.password_verification_attempt_hook(event jsonb)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  s private.sign_in_settings;
  uid uuid := (event ->> 'user_id')::uuid;
  valid boolean := coalesce((event ->> 'valid')::boolean, false);
  at timestamptz := private.hook_time(event);
  r record;
  owner_email text;
begin
  select * into s from private.sign_in_settings;
  select * into r from private.spend_sign_in_budget(
    'password:' || uid, uid, not valid, at,
    s.password_budget, s.password_window_seconds, s.password_pause_seconds);
  if r.just_paused then
    select u.email into owner_email from auth.users u where u.id = uid;
    if owner_email is not null then
      insert into private.mail_outbox (to_email, subject, body) values (
        owner_email,
        'Password sign-in to your account is paused',
        format(E'There were %s failed password attempts on your account within %s minutes, '
               'so password sign-in is paused until %s UTC.\n\n'
               'Your signed-in devices stay signed in. You can still sign in with a magic link '
               'or reset your password. If the attempts were not yours, consider changing '
               'your password and enabling two-factor authentication.',
               s.password_budget, s.password_window_seconds / 60,
               to_char(r.paused_until at time zone 'UTC', 'YYYY-MM-DD HH24:MI')));
    end if;
  end if;
  if r.paused_until is not null then
    return jsonb_build_object(
      'decision', 'reject',
      'message', 'Password sign-in is paused for this account after too many failed attempts. '
                 'Use a magic link or reset your password, or try again later.',
      'should_logout_user', false);
  end if;
  return jsonb_build_object('decision', 'continue');
end;
$$;

-- Supabase Auth's MFA Verification Attempt hook: called with {factor_id, user_id, valid}
-- after every TOTP check. Wrong codes spend the factor's budget; once spent, every code
-- (the right one too) is refused until the pause passes.
create or replace function public.mfa_verification_attempt_hook(event jsonb)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  s private.sign_in_settings;
  uid uuid := (event ->> 'user_id')::uuid;
  factor uuid := (event ->> 'factor_id')::uuid;
  valid boolean := coalesce((event ->> 'valid')::boolean, false);
  r record;
begin
  select * into s from private.sign_in_settings;
  select * into r from private.spend_sign_in_budget(
    'totp:' || factor, uid, not valid, private.hook_time(event),
    s.totp_budget, s.totp_window_seconds, s.totp_pause_seconds);
  if r.paused_until is not null then
    return jsonb_build_object(
      'decision', 'reject',
      'message', 'Too many wrong codes for this factor. Try again later.');
  end if;
  return jsonb_build_object('decision', 'continue');
end;
$$;

-- Only Supabase Auth calls the hooks: a signed-in user must not spend (or read) budgets.
revoke execute on function public.password_verification_attempt_hook(jsonb),
  public.mfa_verification_attempt_hook(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.password_verification_attempt_hook(jsonb),
  public.mfa_verification_attempt_hook(jsonb) to supabase_auth_admin;

-- For the auth function's door: until when password sign-in for this address is paused, so
-- it can answer 429 with Retry-After before asking Auth (null when not paused or unknown).
create or replace function private.password_paused_until(p_email text, p_at timestamptz)
returns timestamptz
language sql
stable
security definer
set search_path = ''
as $$
  select b.paused_until
    from auth.users u
    join private.sign_in_budgets b on b.subject = 'password:' || u.id
   -- GoTrue's own lookup (instance_id, lower(email)), served by users_instance_id_email_idx.
   where u.instance_id = '00000000-0000-0000-0000-000000000000'::uuid
     and lower(u.email) = lower(p_email) and b.paused_until > p_at
$$;

revoke execute on function private.password_paused_until(text, timestamptz)
  from public, anon, authenticated;
grant execute on function private.password_paused_until(text, timestamptz) to service_role;
