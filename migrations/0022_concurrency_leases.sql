-- Concurrency slots shared by the api replicas. Each api process (a holder) leases slots in blocks
-- per account (scope 'account') and per function with reserved concurrency (scope: the function's
-- id), counts its invocations against them in memory, renews its leases about once a second and
-- gives back what it no longer uses. A lease not renewed in time (a crashed or cut-off api) expires
-- and its slots go back to the others. The sum of the live leases of a scope never exceeds its
-- limit: claims are serialized per scope by an advisory lock.
create table concurrency_leases (
  account_id uuid not null,
  scope      text not null,
  holder     uuid not null,
  slots      integer not null check (slots > 0),
  expires_at timestamptz not null,
  primary key (account_id, scope, holder)
);

-- Grants up to p_want more slots to p_holder, which holds p_held, without the live leases of the
-- scope passing p_limit; answers how many were granted (0 when the scope is full).
create function concurrency_claim(p_account uuid, p_scope text, p_holder uuid, p_held integer, p_want integer, p_limit integer, p_ttl_ms integer)
returns integer language plpgsql as $$
declare
  others  integer;
  granted integer;
begin
  perform pg_advisory_xact_lock(hashtextextended('concurrency/' || p_account::text || '/' || p_scope, 0));
  delete from concurrency_leases where account_id = p_account and scope = p_scope and expires_at < now();
  select coalesce(sum(slots), 0) into others
    from concurrency_leases where account_id = p_account and scope = p_scope and holder <> p_holder;
  granted := greatest(0, least(p_want, p_limit - others - p_held));
  if p_held + granted > 0 then
    insert into concurrency_leases (account_id, scope, holder, slots, expires_at)
    values (p_account, p_scope, p_holder, p_held + granted, now() + make_interval(secs => p_ttl_ms / 1000.0))
    on conflict (account_id, scope, holder) do update set slots = excluded.slots, expires_at = excluded.expires_at;
  end if;
  return granted;
end $$;
