-- Each executor has its own platform key, bound to it at registration; usage from a platform key is
-- accepted only for invocations the api dispatched to that executor (signed dispatch tokens); events
-- an executor could not deliver are quarantined here, never dropped.

-- Rows registered before keys were bound carry no key: their executors are told to register again
-- (a heartbeat for an unknown id answers 404) and bind their key then.
delete from executors;

alter table executors
  add column key_id  uuid not null references api_keys (id) on delete cascade,
  -- Set when the executor leaves on its own (graceful stop): no more work, but its key stays bound to
  -- it, so that the usage it sends while stopping (and after a restart) is still accepted.
  add column left_at timestamptz,
  add constraint executors_key_id_key unique (key_id);

-- Secrets every api replica shares (the dispatch-token key). Created once, race-free, by the first
-- replica that needs it (insert ... on conflict do nothing, then read); never leaves the database.
create table platform_secrets (
  name       text primary key,
  secret     bytea not null check (length(secret) >= 32),
  created_at timestamptz not null default now()
);

-- Usage events the api refused for good (a bad field, a missing or forged dispatch token...), as the
-- executor reported them. Kept as sent (the event may not even be valid, so ids are text), listed for
-- an admin and replayable through ingest, whose dedup table keeps a replay from billing twice.
create table usage_quarantine (
  id             uuid primary key default gen_random_uuid(),
  account_id     text not null,
  invocation_id  text not null,
  event_sha256   text not null,
  -- json, not jsonb: kept byte for byte, even what jsonb refuses (a NUL escape, a lone surrogate).
  event          json not null,
  reason         text not null,
  executor_id    uuid,
  key_id         uuid,
  received_at    timestamptz not null default now(),
  replayed_at    timestamptz,
  replayed_by    text,
  replay_outcome text check (replay_outcome in ('accepted', 'duplicate', 'conflict')),
  -- The same event reported twice (an executor crashed before deleting its file) is one entry; the
  -- same invocation with other content is another, and replaying both bills it once.
  unique (account_id, invocation_id, event_sha256)
);
create index usage_quarantine_received_idx on usage_quarantine (received_at, id);
