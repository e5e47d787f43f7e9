-- Profiles: the public face of an auth user. One row per auth.users row, created by a
-- trigger for every sign-up path (password, magic link, OAuth, admin API) and removed with
-- the auth user. The RBAC migration adds the admin policies and the `is_active` guard.

create table public.profiles (
  id          uuid primary key references auth.users (id) on delete cascade,
  username    text not null unique
                constraint profiles_username_format check (username ~ '^[a-z0-9_.]{3,30}$'),
  first_name  text constraint profiles_first_name_length check (char_length(first_name) <= 100),
  last_name   text constraint profiles_last_name_length check (char_length(last_name) <= 100),
  avatar_url  text constraint profiles_avatar_url_length check (char_length(avatar_url) <= 2048),
  is_active   boolean not null default true,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);

comment on table public.profiles is
  'One per auth user, created by private.handle_new_user(); deleted with the auth user.';

create trigger profiles_set_updated_at
  before update on public.profiles
  for each row execute function public.set_updated_at();

-- ---------------------------------------------------------------------------
-- Privileges. Supabase's default privileges grant ALL to every API role; take them back
-- and grant only what each role needs. Rows are created by the trigger and deleted by the
-- cascade, so `authenticated` never inserts or deletes; it may only edit the columns a
-- person owns (not id, timestamps or is_active).
-- ---------------------------------------------------------------------------
alter table public.profiles enable row level security;

revoke all on table public.profiles from anon, authenticated, service_role;
grant select on table public.profiles to authenticated;
grant update (username, first_name, last_name, avatar_url) on table public.profiles to authenticated;
grant select, insert, update, delete on table public.profiles to service_role;

-- A signed-in user sees their own profile.
create policy profiles_select_own on public.profiles
  for select to authenticated
  using (id = (select auth.uid()));

-- A signed-in user edits only their own profile and cannot move it to another id.
create policy profiles_update_own on public.profiles
  for update to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));

-- ---------------------------------------------------------------------------
-- Sign-up trigger.
-- ---------------------------------------------------------------------------

-- A username for a new user: the one they asked for in metadata when it is valid and free,
-- else the email local part (or `user`) made valid, with a random suffix on collision.
-- Inserts the profile itself so that two concurrent sign-ups racing for one name cannot
-- fail a sign-up: `on conflict do nothing` tells us we lost, and we try another suffix.
create or replace function private.handle_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  meta      jsonb := coalesce(new.raw_user_meta_data, '{}'::jsonb);
  wanted    text := lower(trim(meta ->> 'username'));
  base      text;
  candidate text;
  avatar    text := meta ->> 'avatar_url';
  attempt   int := 0;
begin
  base := regexp_replace(lower(coalesce(split_part(new.email, '@', 1), '')), '[^a-z0-9_.]', '_', 'g');
  if char_length(base) < 3 then
    base := case when base = '' then 'user' else 'user_' || base end;
  end if;

  if avatar is not null and (char_length(avatar) > 2048 or avatar !~ '^https?://') then
    avatar := null;
  end if;

  candidate := case when wanted ~ '^[a-z0-9_.]{3,30}$' then wanted else left(base, 30) end;
  loop
    insert into public.profiles (id, username, first_name, last_name, avatar_url)
    values (
      new.id,
      candidate,
      left(nullif(trim(meta ->> 'first_name'), ''), 100),
      left(nullif(trim(meta ->> 'last_name'), ''), 100),
      avatar
    )
    on conflict (username) do nothing;
    exit when found;

    attempt := attempt + 1;
    if attempt = 1 and candidate is distinct from left(base, 30) then
      -- The requested name was taken: fall back to the derived one before adding suffixes.
      candidate := left(base, 30);
    else
      -- 4 hex digits keep the name short; after ten misses, widen to 8 to stop the loop.
      candidate := case
        when attempt <= 10 then left(base, 25) || '_' || left(md5(gen_random_uuid()::text), 4)
        else left(base, 21) || '_' || left(md5(gen_random_uuid()::text), 8)
      end;
    end if;
  end loop;
  return new;
end;
$$;

comment on function private.handle_new_user() is
  'AFTER INSERT on auth.users: creates the profile (username from metadata or email).';

revoke execute on function private.handle_new_user() from public, anon, authenticated, service_role;

-- Every new auth user, whatever created it, gets a profile in the same transaction.
create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function private.handle_new_user();
