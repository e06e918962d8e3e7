-- Each partition of usage_events checks that its ids belong to it (docs/usage-path.md, "Storage").
--
-- Migration 0092 pinned id_month to the id with one check on the whole table,
-- id_month = usage_id_month(invocation_id): a plpgsql call per stored event, 1.3-2.3 µs of Postgres
-- CPU per event (most of it the call). A partition holds one id_month, so the same guarantee can be
-- a check on each partition comparing the id with two constants: the partition of month m accepts
-- only version 7 ids whose first 48 bits (the milliseconds they were made at) fall in month m, and
-- usage_events_other only ids that are not version 7 ids of 2000-2099. Every id still has exactly
-- one partition it may be stored in, and meets a replay of itself in that partition's primary key.
-- The uuid order compares bytes, so `id >= the first uuid of month m` is `its milliseconds >= the
-- first millisecond of m`.

-- The smallest uuid made in `month` (year * 12 + month - 1, UTC): its first millisecond, then zeros.
create function usage_id_bound(month integer) returns uuid language sql stable strict parallel safe as $$
  select (substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-0000-0000-000000000000')::uuid
  from (select lpad(to_hex((extract(epoch from make_timestamptz(month / 12, month % 12 + 1, 1, 0, 0, 0, 'UTC')) * 1000)::bigint),
                    12, '0') as h) as hex
$$;

-- The check of the partition of `month` (0: usage_events_other), the same rule as usage_id_month.
create function usage_id_range_check(month integer) returns text language sql stable strict parallel safe as $$
  select case when month = 0 then
    format('not (get_byte(uuid_send(invocation_id), 6) >> 4 = 7 and invocation_id >= %L and invocation_id < %L)',
           usage_id_bound(2000 * 12), usage_id_bound(2100 * 12))
  else
    format('get_byte(uuid_send(invocation_id), 6) >> 4 = 7 and invocation_id >= %L and invocation_id < %L',
           usage_id_bound(month), usage_id_bound(month + 1))
  end
$$;

-- The partitions there are: each one month (or usage_events_other), read from its bounds. Checking
-- them reads every stored event once (no copy); ingest waits meanwhile.
do $$
declare
  p record;
  bounds text[];
begin
  for p in select c.relname, pg_get_expr(c.relpartbound, c.oid) as bound
           from pg_inherits i join pg_class c on c.oid = i.inhrelid
           where i.inhparent = 'usage_events'::regclass loop
    bounds := regexp_match(p.bound, '^FOR VALUES FROM \((\d+)\) TO \((\d+)\)$');
    if bounds is null or bounds[2]::integer <> bounds[1]::integer + 1 or (bounds[1]::integer between 1 and 2000 * 12 - 1)
       or bounds[1]::integer >= 2100 * 12 then
      raise exception 'usage_events has a partition that is not one id month: % (%)', p.relname, p.bound;
    end if;
    execute format('alter table %I add constraint usage_events_id_range check (%s)', p.relname,
                   usage_id_range_check(bounds[1]::integer));
  end loop;
end $$;

alter table usage_events drop constraint usage_events_id_month_check;

-- New partitions are made with their check.
create or replace function usage_ensure_id_partition(month integer) returns void
language plpgsql security definer set search_path = public, pg_temp as $$
declare
  part_name text := format('usage_events_id_%s_%s', month / 12, lpad((month % 12 + 1)::text, 2, '0'));
begin
  if month < 2000 * 12 or month >= 2100 * 12 or to_regclass(part_name) is not null then
    return;
  end if;
  perform pg_advisory_xact_lock(hashtext('usage_events_partition'));
  if to_regclass(part_name) is not null then -- made meanwhile, by the caller we waited for
    return;
  end if;
  execute format('create table %I partition of usage_events for values from (%s) to (%s)', part_name, month, month + 1);
  execute format('alter table %I add constraint usage_events_id_range check (%s)', part_name, usage_id_range_check(month));
  -- A new table gets the default privileges (update and delete too); the events are append-only.
  execute format('revoke update, delete, truncate on %I from tally_app', part_name);
exception
  when duplicate_table or unique_violation then null;
end $$;
revoke execute on function usage_ensure_id_partition(integer) from public;
grant execute on function usage_ensure_id_partition(integer) to tally_app;
