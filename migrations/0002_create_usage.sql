-- Metering. Raw events are range-partitioned by month (an old month can be detached); a unique
-- index on a partitioned table must contain the partition key, so exactly-once is enforced by the
-- small unpartitioned usage_dedup table, written in the same statement as the event and its rollup.
-- Every table carries account_id and every unique key includes it (ready for Citus).

create table usage_dedup (
  account_id    uuid not null,
  invocation_id uuid not null,
  started_at    timestamptz not null, -- where the raw event lives, to compare a replay's content
  primary key (account_id, invocation_id)
);

create table usage_events (
  account_id           uuid not null,
  invocation_id        uuid not null,
  function_id          text not null,
  architecture         text not null check (architecture in ('x86_64', 'arm64')),
  memory_mb            integer not null check (memory_mb between 128 and 10240),
  duration_ms          numeric not null check (duration_ms >= 0),       -- as reported
  init_duration_ms     numeric check (init_duration_ms >= 0),            -- as reported
  billed_ms            bigint not null check (billed_ms >= 0),           -- ceil(min(d, 900000) + min(init, 10000))
  duration_capped      boolean generated always as (duration_ms > 900000) stored,
  started_at           timestamptz not null,
  status               text not null check (status in ('success', 'error', 'timeout')),
  max_memory_used_mb   integer,
  ephemeral_storage_mb integer not null default 512 check (ephemeral_storage_mb between 512 and 10240),
  ingested_at          timestamptz not null default now(),
  primary key (account_id, invocation_id, started_at)
) partition by range (started_at);

-- Hourly rollups: what queries, invoices and alerts read. Integers only: MB-ms become GB-s at pricing.
create table usage_hourly (
  account_id      uuid not null,
  hour            timestamptz not null,
  function_id     text not null,
  architecture    text not null check (architecture in ('x86_64', 'arm64')),
  requests        bigint not null,
  billed_ms       bigint not null,
  mb_ms           bigint not null,
  ephemeral_mb_ms bigint not null,  -- (ephemeral MB above 512) x billed ms
  init_mb_ms      bigint not null,  -- the part of mb_ms due to billed init time, for price versions that do not bill init
  errors          bigint not null,
  timeouts        bigint not null,
  primary key (account_id, hour, function_id, architecture)
);

-- Monthly rollups per (account, month, architecture), kept in the same statement as the hourly
-- ones: invoices and late-usage checks read one row per account and architecture, not a month of hours.
create table usage_monthly (
  account_id      uuid not null,
  period          date not null check (extract(day from period) = 1),
  architecture    text not null check (architecture in ('x86_64', 'arm64')),
  requests        bigint not null,
  mb_ms           bigint not null,
  ephemeral_mb_ms bigint not null,
  init_mb_ms      bigint not null,
  primary key (account_id, period, architecture)
);

-- Creates the month partition holding `at` if it does not exist yet; safe under concurrency.
create function usage_ensure_partition(at timestamptz) returns void language plpgsql as $$
declare
  month_start timestamptz := date_trunc('month', at, 'UTC');
  part_name   text := 'usage_events_' || to_char(month_start at time zone 'UTC', 'YYYY_MM');
begin
  if to_regclass(part_name) is not null then
    return;
  end if;
  perform pg_advisory_xact_lock(hashtext('usage_events_partition'));
  execute format(
    'create table if not exists %I partition of usage_events for values from (%L) to (%L)',
    part_name, month_start, month_start + interval '1 month');
exception
  -- another batch created it between our check and our create (the catalog check can miss a
  -- partition committed an instant ago): it exists, which is all we need
  when duplicate_table or unique_violation then null;
end $$;
