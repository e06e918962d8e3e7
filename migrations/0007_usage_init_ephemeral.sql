-- The init share of ephemeral storage, kept beside the init share of compute: a price version that does
-- not bill init leaves both out. Rollups written before this migration are filled in from the raw events
-- still attached; a month whose raw events were detached keeps 0 (its storage stays billed with init).
alter table usage_hourly add column init_ephemeral_mb_ms bigint not null default 0;
alter table usage_monthly add column init_ephemeral_mb_ms bigint not null default 0;

update usage_hourly h set init_ephemeral_mb_ms = e.init_ephemeral_mb_ms
from (
  select account_id, date_trunc('hour', started_at, 'UTC') as hour, function_id, architecture,
         sum((billed_ms - ceil(least(duration_ms, 900000))) * (ephemeral_storage_mb - 512)) as init_ephemeral_mb_ms
  from usage_events
  where ephemeral_storage_mb > 512 and init_duration_ms > 0
  group by 1, 2, 3, 4
) e
where h.account_id = e.account_id and h.hour = e.hour and h.function_id = e.function_id and h.architecture = e.architecture
  and e.init_ephemeral_mb_ms <> 0;

update usage_monthly m set init_ephemeral_mb_ms = e.init_ephemeral_mb_ms
from (
  select account_id, date_trunc('month', started_at, 'UTC')::date as period, architecture,
         sum((billed_ms - ceil(least(duration_ms, 900000))) * (ephemeral_storage_mb - 512)) as init_ephemeral_mb_ms
  from usage_events
  where ephemeral_storage_mb > 512 and init_duration_ms > 0
  group by 1, 2, 3
) e
where m.account_id = e.account_id and m.period = e.period and m.architecture = e.architecture
  and e.init_ephemeral_mb_ms <> 0;
