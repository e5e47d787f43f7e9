-- Local development data, applied once after migrations when the local database is new
-- (as `supabase db reset` does). Reference data that production needs belongs in a
-- migration, not here.
select 1;
