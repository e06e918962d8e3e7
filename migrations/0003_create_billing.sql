-- Price catalog, invoices, billed totals and the audit log.

-- Versioned price lists. A version is immutable once written: invoices name the one they used.
create table price_versions (
  id                        text primary key check (id ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
  effective_from            date not null unique check (extract(day from effective_from) = 1),
  currency                  text not null default 'USD' check (currency = 'USD'),
  request_price_per_million numeric(20, 10) not null check (request_price_per_million >= 0),
  ephemeral_per_gb_second   numeric(24, 16) not null check (ephemeral_per_gb_second >= 0),
  free_requests             bigint not null check (free_requests >= 0),
  free_gb_seconds           numeric(24, 6) not null check (free_gb_seconds >= 0),
  bills_init                boolean not null,
  created_at                timestamptz not null default now()
);

create table price_tiers (
  price_version_id text not null references price_versions (id),
  architecture     text not null check (architecture in ('x86_64', 'arm64')),
  tier             integer not null check (tier >= 1),
  up_to_gb_seconds numeric(30, 6) check (up_to_gb_seconds > 0), -- null: unbounded (the last tier)
  unit_price       numeric(24, 16) not null check (unit_price >= 0),
  primary key (price_version_id, architecture, tier)
);

create function refuse_change() returns trigger language plpgsql as $$
begin
  raise exception '% is append-only: % refused', tg_table_name, tg_op using errcode = 'P0001';
end $$;

create trigger price_versions_immutable before update or delete on price_versions
  for each row execute function refuse_change();
create trigger price_tiers_immutable before update or delete on price_tiers
  for each row execute function refuse_change();

-- AWS Lambda us-east-1 public prices; init time billed like handler time (as AWS since August 2025).
insert into price_versions (id, effective_from, request_price_per_million, ephemeral_per_gb_second, free_requests, free_gb_seconds, bills_init)
values ('aws-us-east-1-2025-08', '2025-08-01', 0.20, 0.0000000309, 1000000, 400000, true);
insert into price_tiers (price_version_id, architecture, tier, up_to_gb_seconds, unit_price) values
  ('aws-us-east-1-2025-08', 'x86_64', 1, 6000000000,  0.0000166667),
  ('aws-us-east-1-2025-08', 'x86_64', 2, 15000000000, 0.0000150000),
  ('aws-us-east-1-2025-08', 'x86_64', 3, null,        0.0000133334),
  ('aws-us-east-1-2025-08', 'arm64',  1, 7500000000,  0.0000133334),
  ('aws-us-east-1-2025-08', 'arm64',  2, 18750000000, 0.0000120001),
  ('aws-us-east-1-2025-08', 'arm64',  3, null,        0.0000106667);

-- One invoice per account and calendar month among non-void invoices.
create table invoices (
  id               uuid primary key default gen_random_uuid(),
  account_id       uuid not null references accounts (id),
  period           date not null check (extract(day from period) = 1),
  status           text not null check (status in ('draft', 'finalized', 'void')),
  currency         text not null default 'USD',
  price_version_id text not null references price_versions (id),
  free_tier        boolean not null,
  total            numeric(20, 2) not null,
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  finalized_at     timestamptz,
  voided_at        timestamptz,
  void_reason      text,
  check ((status = 'void') = (voided_at is not null))
);
create unique index invoices_one_per_account_period on invoices (account_id, period) where status <> 'void';
create index invoices_period_idx on invoices (period, status);

create table invoice_lines (
  id                uuid primary key default gen_random_uuid(),
  invoice_id        uuid not null references invoices (id) on delete cascade,
  account_id        uuid not null,
  position          integer not null,
  kind              text not null check (kind in ('requests', 'compute', 'ephemeral_storage', 'adjustment')),
  architecture      text,
  tier              integer,
  adjusts_period    date, -- for an adjustment: the finalized month whose late usage it bills
  description       text not null,
  quantity          numeric not null,
  free_quantity     numeric not null,
  billable_quantity numeric not null,
  unit_price        numeric not null,
  amount            numeric(20, 2) not null,
  unique (invoice_id, position)
);

-- A finalized invoice and its lines never change; the only move left is finalized -> void.
create function invoices_guard() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    if old.status <> 'draft' then
      raise exception 'invoice % is %: it cannot be deleted', old.id, old.status using errcode = 'P0001';
    end if;
    return old;
  end if;
  if old.status = 'void' then
    raise exception 'invoice % is void: it cannot be changed', old.id using errcode = 'P0001';
  end if;
  if old.status = 'finalized' and not (
       new.status = 'void'
       and (new.id, new.account_id, new.period, new.currency, new.price_version_id, new.free_tier, new.total, new.finalized_at)
           is not distinct from
           (old.id, old.account_id, old.period, old.currency, old.price_version_id, old.free_tier, old.total, old.finalized_at)) then
    raise exception 'invoice % is finalized: it cannot be changed (only voided)', old.id using errcode = 'P0001';
  end if;
  return new;
end $$;
create trigger invoices_guard before update or delete on invoices
  for each row execute function invoices_guard();

-- Checked once per statement (transition tables), not once per row: an invoice run writes tens of
-- thousands of lines. A line may be neither written onto, moved off, nor deleted from an invoice
-- that is not open: open means a draft, or an invoice finalized by this very transaction (an
-- invoice run writes it finalized together with its lines; once committed, nothing can touch it,
-- since invoices_guard refuses every later change to a finalized row but voiding). The lines of a
-- deleted draft go with it (their parent is gone, so nothing matches).
create function invoice_is_open(status text, row_xmin xid) returns boolean language sql stable as $$
  select status = 'draft' or (status = 'finalized' and row_xmin = pg_current_xact_id()::xid)
$$;

create function invoice_lines_guard() returns trigger language plpgsql as $$
declare
  parent_status text;
begin
  if tg_op in ('UPDATE', 'DELETE') then
    select i.status into parent_status from old_rows o join invoices i on i.id = o.invoice_id
    where not invoice_is_open(i.status, i.xmin) limit 1;
  end if;
  if parent_status is null and tg_op in ('INSERT', 'UPDATE') then
    select coalesce(i.status, 'missing') into parent_status
    from new_rows n left join invoices i on i.id = n.invoice_id
    where i.id is null or not invoice_is_open(i.status, i.xmin) limit 1;
  end if;
  if parent_status is not null then
    raise exception 'the lines of a % invoice cannot be changed', parent_status using errcode = 'P0001';
  end if;
  return null;
end $$;
create trigger invoice_lines_guard_insert after insert on invoice_lines
  referencing new table as new_rows for each statement execute function invoice_lines_guard();
create trigger invoice_lines_guard_update after update on invoice_lines
  referencing old table as old_rows new table as new_rows for each statement execute function invoice_lines_guard();
create trigger invoice_lines_guard_delete after delete on invoice_lines
  referencing old table as old_rows for each statement execute function invoice_lines_guard();

-- What each finalized invoice billed for a month: its own month, and each earlier month it adjusted
-- for late usage. The billed state of a month is the snapshot of the latest finalized (not void)
-- invoice that covers it, so late usage is billed once, as the difference, whatever the delay, and
-- voiding an invoice hands its months back. Written at finalization, never changed.
create table invoice_usage_snapshots (
  invoice_id       uuid not null references invoices (id),
  account_id       uuid not null,
  period           date not null check (extract(day from period) = 1),
  requests         bigint not null,
  x86_mb_ms        bigint not null, -- as priced (init share left out when the version does not bill init)
  arm_mb_ms        bigint not null,
  ephemeral_mb_ms  bigint not null,
  amount           numeric(20, 2) not null, -- the month's whole bill at that usage, sum of rounded lines
  price_version_id text not null references price_versions (id),
  free_tier        boolean not null,
  primary key (invoice_id, period)
);
create index invoice_usage_snapshots_account_idx on invoice_usage_snapshots (account_id, period);
create trigger invoice_usage_snapshots_immutable before update or delete on invoice_usage_snapshots
  for each row execute function refuse_change();

-- Every change that affects money, with who and why. Append-only, enforced.
create table audit_log (
  id         bigint generated always as identity primary key,
  at         timestamptz not null default now(),
  actor      text not null,
  action     text not null,
  account_id uuid,
  subject    text,
  reason     text,
  details    jsonb not null default '{}'
);
create index audit_log_account_idx on audit_log (account_id, at);
create trigger audit_log_append_only before update or delete on audit_log
  for each row execute function refuse_change();
