-- Event source mappings (docs/sources.md): a function fed by a broker queue, topic or stream, or by
-- object-storage notifications posted to a webhook. Pollers run on the api replicas; a lease on the
-- row (holder, expiry) makes exactly one replica poll a mapping, and another take it over when the
-- holder stops renewing.
create table event_source_mappings (
  account_id          uuid not null,
  id                  uuid not null,
  function_id         uuid not null,
  function_name       text not null,
  source_type         text not null check (source_type in ('rabbitmq', 'mqtt', 'nats', 'redis', 's3-webhook')),
  -- The broker URL sealed with the platform secret key (bound to the mapping id); null for s3-webhook.
  url_sealed          text,
  -- The URL without its credentials, safe to show.
  url_redacted        text,
  -- queue, topic, stream, subject, group, qos, startingPosition: what the poller subscribes to.
  source              jsonb not null,
  batch_size          integer not null check (batch_size between 1 and 10000),
  batching_window_ms  integer not null check (batching_window_ms between 0 and 300000),
  maximum_concurrency integer not null check (maximum_concurrency between 1 and 1000),
  maximum_retry_attempts integer not null check (maximum_retry_attempts between 0 and 10),
  report_item_failures boolean not null,
  on_failure          jsonb,
  webhook_secret      text, -- signs a webhook failure destination's deliveries
  token_hash          text, -- s3-webhook: sha-256 of the bearer token (shown once)
  enabled             boolean not null,
  state               text not null check (state in ('Creating', 'Enabling', 'Enabled', 'Disabling', 'Disabled', 'Updating', 'Deleting')),
  last_processing_result text not null default 'No records processed',
  lag                 bigint,
  lag_at              timestamptz,
  lease_holder        uuid,
  lease_expires_at    timestamptz,
  created_at          timestamptz not null,
  updated_at          timestamptz not null,
  primary key (account_id, id),
  foreign key (account_id, function_id) references functions (account_id, id) on delete cascade
);
create unique index event_source_mappings_id_idx on event_source_mappings (id);
create index event_source_mappings_lease_idx on event_source_mappings (lease_expires_at) where enabled or lease_holder is not null;

-- A failed batch's record goes to the failure destination through the async queue (a function) or
-- the webhook outbox; the source key (mapping and batch) makes a redelivered batch's record land once.
alter table async_invocations drop constraint async_invocations_source_check;
alter table async_invocations add constraint async_invocations_source_check
  check (source in ('api', 'schedule', 'destination', 'event-source'));
alter table async_destination_deliveries add column webhook_secret text;
