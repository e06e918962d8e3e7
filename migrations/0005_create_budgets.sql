-- Budgets, cost alerts (with a webhook outbox) and hard spending caps.

create table budgets (
  id          uuid primary key default gen_random_uuid(),
  account_id  uuid not null references accounts (id),
  amount      numeric(14, 2) not null check (amount > 0), -- USD per calendar month
  thresholds  integer[] not null check (cardinality(thresholds) between 1 and 10 and 1 <= all (thresholds) and 1000 >= all (thresholds)),
  basis       text not null check (basis in ('actual', 'forecast')),
  function_id text check (length(function_id) between 1 and 256), -- null: the whole account
  webhook_url text check (webhook_url ~ '^https?://'),
  hard_cap    boolean not null,
  -- The key the api signs webhook bodies with: it must be readable to sign, so it is kept as is
  -- (it authenticates us to the receiver; it is never accepted as a credential by Tally).
  secret      text not null,
  created_at  timestamptz not null,
  updated_at  timestamptz not null,
  deleted_at  timestamptz, -- soft delete: its alerts and their delivery history stay readable
  unique (account_id, id)
);
create index budgets_account_idx on budgets (account_id) where deleted_at is null;

-- The last spend measured per budget, for its month. Every api replica reloads the hard caps from
-- here every few seconds; `actual >= budgets.amount` is compared live, so raising the amount lifts
-- a cap at once. `function_id` is the filter the spend was measured with.
create table budget_states (
  account_id   uuid not null,
  budget_id    uuid not null references budgets (id),
  period       date not null check (extract(day from period) = 1),
  function_id  text,
  actual       numeric(20, 2) not null,
  forecast     numeric(20, 2) not null,
  evaluated_at timestamptz not null,
  primary key (account_id, budget_id)
);
create index budget_states_period_idx on budget_states (period);

-- One alert per budget, month and threshold, whatever the number of concurrent evaluations.
create table budget_alerts (
  id         uuid primary key,
  account_id uuid not null,
  budget_id  uuid not null references budgets (id),
  period     date not null check (extract(day from period) = 1),
  threshold  integer not null,
  basis      text not null check (basis in ('actual', 'forecast')),
  spend      numeric(20, 2) not null, -- the basis value that crossed the threshold
  actual     numeric(20, 2) not null,
  forecast   numeric(20, 2) not null,
  amount     numeric(14, 2) not null,
  percent    numeric not null, -- unbounded: a tiny amount can be overrun many thousand times
  created_at timestamptz not null,
  unique (account_id, budget_id, period, threshold)
);
create index budget_alerts_account_idx on budget_alerts (account_id, created_at desc, id);

-- The webhook outbox, written in the alert's transaction. Workers claim due rows with
-- FOR UPDATE SKIP LOCKED; the claim itself moves next_attempt_at to the backoff (computed in SQL),
-- so a worker that dies mid-attempt leaves the row to be retried, never lost.
create table budget_alert_outbox (
  alert_id        uuid primary key references budget_alerts (id),
  account_id      uuid not null,
  body            text not null, -- the exact bytes every attempt sends and signs
  status          text not null check (status in ('pending', 'delivered', 'failed', 'cancelled')),
  attempts        integer not null default 0, -- in the current round (a redelivery starts a new one)
  next_attempt_at timestamptz not null,
  give_up_at      timestamptz not null,
  delivered_at    timestamptz,
  last_error      text
);
create index budget_alert_outbox_due_idx on budget_alert_outbox (next_attempt_at) where status = 'pending';

create table budget_alert_attempts (
  id          bigint generated always as identity primary key,
  account_id  uuid not null,
  alert_id    uuid not null references budget_alerts (id),
  at          timestamptz not null,
  url         text not null,
  status_code integer,
  error       text,
  duration_ms integer not null
);
create index budget_alert_attempts_alert_idx on budget_alert_attempts (alert_id, id);

-- The minute tick of the evaluation job: the replica whose insert wins runs that minute.
create table budget_evaluation_ticks (
  tick timestamptz primary key
);
