-- The API decides rate limits and lockouts by its own clock (passed in as `p_at`), so they
-- agree with the Retry-After it computes and tests can move time instead of sleeping. The
-- old signatures go: a caller that forgot the time would otherwise run on the database's.

drop function private.rate_limit_hit(text, integer, integer);
drop function private.login_failure(text, text, integer, integer, integer, integer);
drop function private.login_locked_until(text, text);

-- Counts one hit against `p_key` at `p_at` and says whether it is within `p_limit` per window.
-- A single upsert: concurrent hits on one key serialize on its row lock, so exactly
-- `p_limit` of them see allowed = true. An expired window is restarted in place, which is
-- also how a key's old row is pruned; other keys' expired rows are swept now and then.
create function private.rate_limit_hit(
  p_key text, p_limit integer, p_window_seconds integer, p_at timestamptz)
returns table (allowed boolean, remaining integer, reset_at timestamptz)
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  if p_limit < 1 or p_window_seconds < 1 then
    raise exception 'rate_limit_hit: limit and window must be positive'
      using errcode = 'invalid_parameter_value';
  end if;

  return query
  insert into private.rate_limits as rl (key, hits, reset_at)
  values (p_key, 1, p_at + make_interval(secs => p_window_seconds))
  on conflict (key) do update
    set hits = case when rl.reset_at <= p_at then 1 else rl.hits + 1 end,
        reset_at = case when rl.reset_at <= p_at then excluded.reset_at else rl.reset_at end
  returning rl.hits <= p_limit, greatest(p_limit - rl.hits, 0), rl.reset_at;

  -- About one call in a hundred sweeps a small batch of expired windows; SKIP LOCKED keeps
  -- the sweep from ever waiting on a key that is being hit right now.
  if random() < 0.01 then
    delete from private.rate_limits d
     where d.key in (
       select x.key from private.rate_limits x
        where x.reset_at < p_at
        limit 100
        for update skip locked);
  end if;
end;
$$;

-- A password attempt failed for this account from this address at `p_at`. Once the failures
-- reach `p_threshold`, the pair is locked for base * 2^(failures - threshold) seconds, capped
-- at `p_max_seconds`. Failures older than `p_reset_seconds` are forgotten. Returns the lock's
-- end, or null when not locked.
create function private.login_failure(
  p_account text, p_ip text, p_threshold integer, p_base_seconds integer,
  p_max_seconds integer, p_at timestamptz, p_reset_seconds integer default 86400)
returns timestamptz
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  n      integer;
  locked timestamptz;
begin
  if p_threshold < 1 or p_base_seconds < 1 or p_max_seconds < p_base_seconds then
    raise exception 'login_failure: threshold and base must be positive, max >= base'
      using errcode = 'invalid_parameter_value';
  end if;

  insert into private.login_failures as lf (account, ip, failures, last_failed_at)
  values (lower(p_account), p_ip, 1, p_at)
  on conflict (account, ip) do update
    set failures = case
          when lf.last_failed_at < p_at - make_interval(secs => p_reset_seconds)
           and (lf.locked_until is null or lf.locked_until <= p_at) then 1
          else lf.failures + 1
        end,
        last_failed_at = p_at
  returning lf.failures into n;

  if n >= p_threshold then
    -- Exponent capped so 2^x cannot overflow before the max applies.
    locked := p_at + make_interval(secs => least(
      p_base_seconds * power(2, least(n - p_threshold, 30)),
      p_max_seconds));
    update private.login_failures
       set locked_until = locked
     where account = lower(p_account) and ip = p_ip;
  end if;

  if random() < 0.01 then
    delete from private.login_failures d
     where (d.account, d.ip) in (
       select x.account, x.ip from private.login_failures x
        where x.last_failed_at < p_at - make_interval(secs => p_reset_seconds)
          and (x.locked_until is null or x.locked_until <= p_at)
        limit 100
        for update skip locked);
  end if;
  return locked;
end;
$$;

-- When the account+address pair is locked at `p_at`, until when; null when not locked.
create function private.login_locked_until(p_account text, p_ip text, p_at timestamptz)
returns timestamptz
language sql
stable
security definer
set search_path = ''
as $$
  select lf.locked_until
    from private.login_failures lf
   where lf.account = lower(p_account) and lf.ip = p_ip and lf.locked_until > p_at
$$;

-- The API's service door only: a user must not be able to reset their own lockout.
revoke execute on function
  private.rate_limit_hit(text, integer, integer, timestamptz),
  private.login_failure(text, text, integer, integer, integer, timestamptz, integer),
  private.login_locked_until(text, text, timestamptz)
  from public, anon, authenticated;
grant execute on function
  private.rate_limit_hit(text, integer, integer, timestamptz),
  private.login_failure(text, text, integer, integer, integer, timestamptz, integer),
  private.login_locked_until(text, text, timestamptz)
  to service_role;
