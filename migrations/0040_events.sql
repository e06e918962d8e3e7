-- Event-driven execution (docs/events.md): asynchronous invocations and their destinations,
-- schedules, function URLs. Every trigger ends in an ordinary invocation; these tables only hold
-- what must survive a restart and what must happen once.

-- A time-ordered uuid (version 7) made by the database, so that the id a claim gives an attempt
-- (the invocation id its usage is metered under) lands on the newest pages of the dedup index, as
-- the ids the api makes do.
create function uuid_v7() returns uuid language sql volatile as $$
  select encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
           placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
           from 1 for 6), 52, 1), 53, 1), 'hex')::uuid
$$;

-- Retries, age limit and destinations of a function's asynchronous invocations (Lambda's
-- event-invoke-config). A destination is {"type":"function","function":name} or
-- {"type":"webhook","url":...}; the webhook signing secret is kept readable to sign.
create table event_invoke_configs (
  account_id             uuid not null,
  function_id            uuid not null,
  maximum_retry_attempts integer not null check (maximum_retry_attempts between 0 and 2),
  maximum_event_age_s    integer not null check (maximum_event_age_s between 60 and 21600),
  on_success             jsonb,
  on_failure             jsonb,
  webhook_secret         text,
  updated_at             timestamptz not null,
  primary key (account_id, function_id),
  foreign key (account_id, function_id) references functions (account_id, id) on delete cascade
);

-- The durable queue. A row is written before the 202 and claimed by any replica's worker with
-- FOR UPDATE SKIP LOCKED when due_at has passed: a queued row is due to run; a running row is due
-- when its lease ran out (the replica running it died), and is then claimed again.
create table async_invocations (
  account_id    uuid not null,
  id            uuid not null, -- the request id (uuid v7), the same across retries
  function_id   uuid not null, -- the function as it was queued: a function deleted since fails the event
  function_name text not null,
  payload       bytea,         -- the event; dropped once the invocation is settled
  status        text not null check (status in ('queued', 'running', 'succeeded', 'failed', 'expired')),
  source        text not null check (source in ('api', 'schedule', 'destination')),
  -- What queued it, once: a schedule's tick or the outcome a destination record reports.
  source_key    text,
  chain_depth   integer not null default 0 check (chain_depth >= 0),
  attempts      integer not null default 0, -- runs that ended (success, error, timeout)
  dispatches    integer not null default 0, -- runs started (approximateInvokeCount)
  throttles     integer not null default 0, -- refusals before running (429, 5xx): retried without using attempts
  max_retries   integer not null check (max_retries between 0 and 2),
  created_at    timestamptz not null, -- queued (for a schedule: its tick), where the event's age counts from
  expires_at    timestamptz not null,
  due_at        timestamptz not null,
  claim_id      uuid,                 -- the running attempt's invocation id: only its owner may settle it
  last_error    text,
  last_response bytea,                -- the last failed attempt's error payload, for the destination record
  last_version  integer,
  destination   text,                 -- what was done with the outcome's destination record
  finished_at   timestamptz,
  primary key (account_id, id),
  check ((status in ('succeeded', 'failed', 'expired')) = (finished_at is not null))
);
create unique index async_invocations_source_key on async_invocations (account_id, source, source_key) where source_key is not null;
create index async_invocations_due_idx on async_invocations (due_at) where status in ('queued', 'running');
create index async_invocations_function_idx on async_invocations (account_id, function_name, status, id desc);

-- Every run an attempt was dispatched as: its invocation id is the usage record's, so an invoice
-- line traces back to the event and each retry is billed as the run it was. Append-only.
create table async_attempts (
  account_id    uuid not null,
  invocation_id uuid not null,
  request_id    uuid not null,
  claimed_at    timestamptz not null,
  primary key (account_id, invocation_id)
);
create index async_attempts_request_idx on async_attempts (account_id, request_id);
revoke update, delete on async_attempts from tally_app;

-- Webhook destinations: one record per outcome (the primary key), written in the transaction that
-- settles the invocation, delivered signed with retries as budget alerts are.
create table async_destination_deliveries (
  account_id      uuid not null,
  request_id      uuid not null,
  function_id     uuid not null,
  url             text not null,
  body            text not null, -- the exact bytes every attempt sends and signs
  status          text not null check (status in ('pending', 'delivered', 'failed', 'cancelled')),
  attempts        integer not null default 0,
  next_attempt_at timestamptz not null,
  give_up_at      timestamptz not null,
  delivered_at    timestamptz,
  last_error      text,
  primary key (account_id, request_id)
);
create index async_destination_deliveries_due_idx on async_destination_deliveries (next_attempt_at) where status = 'pending';

-- Schedules (EventBridge Scheduler). next_fire_at is the next tick; next_run_at the moment it runs
-- (the tick plus its flexible-window offset); every replica claims due schedules with SKIP LOCKED.
create table schedules (
  account_id          uuid not null references accounts (id),
  id                  uuid not null default gen_random_uuid(),
  name                text not null check (name ~ '^[0-9A-Za-z_.-]{1,64}$'),
  expression          text not null,
  timezone            text not null,
  function_name       text not null,
  input               text, -- JSON; null: EventBridge's scheduled event
  enabled             boolean not null,
  flexible_window_min integer check (flexible_window_min between 1 and 1440),
  anchor_at           timestamptz not null, -- rate() counts from here
  next_fire_at        timestamptz,
  next_run_at         timestamptz,
  last_fired_at       timestamptz,
  created_at          timestamptz not null,
  updated_at          timestamptz not null,
  primary key (account_id, id),
  unique (account_id, name)
);
create index schedules_due_idx on schedules (next_run_at) where enabled and next_run_at is not null;

-- One row per tick fired: however many replicas see it due, a tick fires once.
create table schedule_ticks (
  account_id  uuid not null,
  schedule_id uuid not null,
  tick        timestamptz not null,
  fired_at    timestamptz not null,
  request_id  uuid not null,
  primary key (account_id, schedule_id, tick),
  foreign key (account_id, schedule_id) references schedules (account_id, id) on delete cascade
);
revoke update on schedule_ticks from tally_app;

-- Function URLs: /url/<url_id>/ invokes the function. The id is 32 random characters (160 bits):
-- unique per account by constraint, and in practice everywhere, so a lookup by id alone is safe.
create table function_urls (
  account_id  uuid not null,
  function_id uuid not null,
  url_id      text not null check (url_id ~ '^[a-z0-9]{32}$'),
  auth_type   text not null check (auth_type in ('NONE', 'TALLY_KEY')),
  cors        jsonb,
  created_at  timestamptz not null,
  updated_at  timestamptz not null,
  primary key (account_id, function_id),
  unique (account_id, url_id),
  foreign key (account_id, function_id) references functions (account_id, id) on delete cascade
);
create index function_urls_url_id_idx on function_urls (url_id);
