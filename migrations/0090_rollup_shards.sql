-- Rollup shards (docs/usage-path.md, "Rollups"). Every ingest batch adds its sums to the rollup rows
-- of its keys; with one row per key, concurrent batches for the same account and hour (what live
-- traffic sends: every executor reports the last seconds) queue on that row's lock until each
-- commits. A shard number in the key gives each key up to 8 rows; a batch writes the shard the api
-- hands it in turn, so concurrent batches of one api write different rows. Readers already sum over
-- rows; the totals of a key are the sum of its shards. Existing rows become shard 0.
alter table usage_hourly add column shard smallint not null default 0 check (shard between 0 and 7);
alter table usage_hourly drop constraint usage_hourly_pkey;
alter table usage_hourly add primary key (account_id, hour, function_id, architecture, shard);

alter table usage_monthly add column shard smallint not null default 0 check (shard between 0 and 7);
alter table usage_monthly drop constraint usage_monthly_pkey;
alter table usage_monthly add primary key (account_id, period, architecture, shard);
