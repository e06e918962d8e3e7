-- One table for exactly-once and the raw events (docs/usage-path.md, "Storage").
--
-- Until now a unique index could not span usage_events' month partitions (they were by started_at,
-- and a unique key must contain the partition key), so every event was written twice: its id into
-- the unpartitioned usage_dedup, and the event into its month. Here the events are partitioned by
-- the month their invocation id was made in instead: a version 7 id carries the milliseconds of its
-- making in its first 48 bits (the api makes one per invocation at dispatch), so that month is a
-- function of the id. The primary key (account_id, invocation_id, id_month) then is unique on
-- (account_id, invocation_id) across the whole table: the check pins id_month to the id, so two
-- rows with one id have one id_month, land in one partition, and meet in its index. Ids of other
-- versions (an account-scoped reporter may send any uuid), and v7 ids whose time lies outside
-- 2000-2099 (no real one does; the api refuses those from the future), have id_month 0: their own
-- partition. The window is fixed so the function stays immutable.

-- It runs in the check of every stored event, so it is made cheap: the id's bytes (not its text),
-- and the calendar month from the day number with integers only (H. Hinnant's civil_from_days), in
-- plpgsql: about 0.7 µs a call here, where the same with to_timestamp and extract cost 1.3 µs, and
-- as a sql function (not inlined, with subqueries) 6-8 µs. Both give the same month for every
-- millisecond of 2000-2099; the api's idMonthOf (usage.service.ts) computes it with Date's UTC month.
create function usage_id_month(id uuid) returns integer language plpgsql immutable strict parallel safe as $$
declare
  b bytea := uuid_send(id);
  ms bigint;
  z bigint;
  era bigint;
  doe bigint;
  yoe bigint;
  mp bigint;
begin
  if get_byte(b, 6) >> 4 <> 7 then -- the version nibble
    return 0;
  end if;
  ms := (get_byte(b, 0)::bigint << 40) | (get_byte(b, 1)::bigint << 32) | (get_byte(b, 2)::bigint << 24)
      | (get_byte(b, 3)::bigint << 16) | (get_byte(b, 4)::bigint << 8) | get_byte(b, 5);
  if ms < 946684800000 or ms >= 4102444800000 then -- 2000-01-01, 2100-01-01
    return 0;
  end if;
  z := ms / 86400000 + 719468; -- days since 0000-03-01
  era := z / 146097;
  doe := z - era * 146097;
  yoe := (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  mp := (5 * (doe - (365 * yoe + yoe / 4 - yoe / 100)) + 2) / 153; -- months since March
  return ((yoe + era * 400 + (case when mp < 10 then 0 else 1 end)) * 12 + (case when mp < 10 then mp + 2 else mp - 10 end))::int;
end $$;

alter table usage_events rename to usage_events_by_start;

create table usage_events (
  account_id           uuid not null,
  invocation_id        uuid not null,
  id_month             integer not null -- year * 12 + month - 1, UTC; 0: not a v7 id
                       constraint usage_events_id_month_check check (id_month = usage_id_month(invocation_id)),
  function_id          text not null,
  architecture         text not null check (architecture in ('x86_64', 'arm64')),
  memory_mb            integer not null check (memory_mb between 128 and 10240),
  duration_ms          numeric not null check (duration_ms >= 0),
  init_duration_ms     numeric check (init_duration_ms >= 0),
  billed_ms            bigint not null check (billed_ms >= 0),
  duration_capped      boolean generated always as (duration_ms > 900000) stored,
  started_at           timestamptz not null,
  status               text not null check (status in ('success', 'error', 'timeout')),
  max_memory_used_mb   integer,
  ephemeral_storage_mb integer not null default 512 check (ephemeral_storage_mb between 512 and 10240),
  ingested_at          timestamptz not null default now(),
  primary key (account_id, invocation_id, id_month)
) partition by range (id_month);

create table usage_events_other partition of usage_events for values from (0) to (1);
revoke update, delete, truncate on usage_events_other from tally_app;

-- Creates the partition of one id month if missing; safe under concurrency. Creating a partition
-- takes the parent's owner, so it runs with the owner's rights (as the function it replaces).
create function usage_ensure_id_partition(month integer) returns void
language plpgsql security definer set search_path = public, pg_temp as $$
declare
  part_name text := format('usage_events_id_%s_%s', month / 12, lpad((month % 12 + 1)::text, 2, '0'));
begin
  if month < 1 or to_regclass(part_name) is not null then
    return;
  end if;
  perform pg_advisory_xact_lock(hashtext('usage_events_partition'));
  execute format('create table if not exists %I partition of usage_events for values from (%s) to (%s)', part_name, month, month + 1);
  -- A new table gets the default privileges (update and delete too); the events are append-only.
  execute format('revoke update, delete, truncate on %I from tally_app', part_name);
exception
  when duplicate_table or unique_violation then null;
end $$;
revoke execute on function usage_ensure_id_partition(integer) from public;
grant execute on function usage_ensure_id_partition(integer) to tally_app;

-- What is stored moves over as it is. A claimed id whose event is not stored (its month detached
-- by hand; nothing in Tally detaches) cannot move: the migration stops and says so rather than
-- forget the claim, which would let a replay of it count again.
do $$
declare
  m integer;
  orphans bigint;
begin
  select count(*) into orphans from usage_dedup d
  where not exists (select 1 from usage_events_by_start e
                    where e.account_id = d.account_id and e.invocation_id = d.invocation_id and e.started_at = d.started_at);
  if orphans > 0 then
    raise exception '% claimed invocation ids have no stored event (a detached month?): reattach it before upgrading', orphans;
  end if;
  for m in select distinct usage_id_month(invocation_id) from usage_events_by_start loop
    perform usage_ensure_id_partition(m);
  end loop;
end $$;

insert into usage_events (account_id, invocation_id, id_month, function_id, architecture, memory_mb, duration_ms,
                          init_duration_ms, billed_ms, started_at, status, max_memory_used_mb, ephemeral_storage_mb, ingested_at)
select account_id, invocation_id, usage_id_month(invocation_id), function_id, architecture, memory_mb, duration_ms,
       init_duration_ms, billed_ms, started_at, status, max_memory_used_mb, ephemeral_storage_mb, ingested_at
from usage_events_by_start;

drop table usage_events_by_start;
drop table usage_dedup;
drop function usage_ensure_partition(timestamptz);

-- The new table's constraints were named while the old one still held the plain names (`..._pkey1`):
-- give them the plain names back, now free.
do $$
declare
  c record;
begin
  for c in select conname from pg_constraint where conrelid = 'usage_events'::regclass and conname ~ '1$' loop
    if not exists (select 1 from pg_constraint where conrelid = 'usage_events'::regclass and conname = left(c.conname, -1)) then
      execute format('alter table usage_events rename constraint %I to %I', c.conname, left(c.conname, -1));
    end if;
  end loop;
end $$;

-- Append-only for the api, as before.
revoke all on usage_events from tally_app;
grant select, insert on usage_events to tally_app;
