-- Function logs (docs/logs.md): every line an invocation wrote, with START/END/REPORT, one row each.
-- Range-partitioned by UTC day so that retention is a DROP TABLE, not a DELETE. A unique index on a
-- partitioned table must hold the partition key: (account, request id, sequence) names a line, and a
-- resent line carries the very timestamp it was spooled with, so it lands on the same row and
-- `on conflict do nothing` stores it once.
create table log_events (
  id bigserial not null,
  account_id uuid not null,
  function_name text not null,
  request_id uuid not null,
  seq integer not null check (seq >= 0),
  ts timestamptz not null,
  message text not null,
  ingested_at timestamptz not null default now()
) partition by range (ts);

create unique index log_events_line on log_events (account_id, request_id, seq, ts);
-- Queries page through a function's lines in (timestamp, request id, seq) order.
create index log_events_by_function on log_events (account_id, function_name, ts, request_id, seq);
-- Followers (`Accept: text/event-stream`) read what arrived since their last look.
create index log_events_by_arrival on log_events (account_id, function_name, ingested_at);

-- Retention per account, in days (CloudWatch's default is "never"; ours is 30 days).
create table log_retention (
  account_id uuid primary key references accounts (id) on delete cascade,
  days integer not null check (days between 1 and 3653),
  updated_at timestamptz not null default now()
);

-- Partitions are made and dropped by the api (a login role that owns nothing): these two run with
-- the owner's rights and do nothing else.
create function log_ensure_partition(day date) returns void language plpgsql as $$
declare
  part_name text := 'log_events_' || to_char(day, 'YYYYMMDD');
  lower_bound timestamptz := (day::timestamp at time zone 'UTC');
begin
  if to_regclass(part_name) is not null then
    return;
  end if;
  perform pg_advisory_xact_lock(hashtext('log_events_partition'));
  execute format(
    'create table if not exists %I partition of log_events for values from (%L) to (%L)',
    part_name, lower_bound, lower_bound + interval '1 day');
exception
  when duplicate_table or unique_violation then null;
end $$;

-- Drops every day partition that ends at or before `before` (midnight UTC); returns their names.
create function log_drop_partitions_before(before date) returns setof text language plpgsql as $$
declare
  part record;
begin
  perform pg_advisory_xact_lock(hashtext('log_events_partition'));
  for part in
    select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'log_events'::regclass and c.relname ~ '^log_events_\d{8}$'
      and to_date(substring(c.relname from 12), 'YYYYMMDD') < before
    order by c.relname
  loop
    execute format('drop table %I', part.relname);
    return next part.relname;
  end loop;
end $$;

-- The day partitions that exist, oldest first.
create function log_partitions() returns setof text language sql stable as $$
  select c.relname::text from pg_inherits i join pg_class c on c.oid = i.inhrelid
  where i.inhparent = 'log_events'::regclass order by c.relname
$$;

alter function log_ensure_partition(date) security definer set search_path = public, pg_temp;
alter function log_drop_partitions_before(date) security definer set search_path = public, pg_temp;
revoke execute on function log_ensure_partition(date) from public;
revoke execute on function log_drop_partitions_before(date) from public;
grant execute on function log_ensure_partition(date) to tally_app;
grant execute on function log_drop_partitions_before(date) to tally_app;

-- Lines are never edited; rows of an account with a shorter retention than the oldest partition are deleted.
revoke update on log_events from tally_app;
grant select, insert, delete on log_events to tally_app;
grant select, insert, update, delete on log_retention to tally_app;
grant usage on sequence log_events_id_seq to tally_app;
