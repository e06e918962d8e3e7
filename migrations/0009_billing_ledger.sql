-- What has been billed for each (account, usage month), as a chain of entries. Each entry moves the month's
-- billed totals from the entry before it (from_seq) to its own. The primary key lets each step be taken once:
-- two runs (of any months, in any order, on any replica) that priced late usage from the same billed state
-- both write the same seq, and the second fails and prices again from the new state. Voiding an invoice
-- appends one release per entry it wrote, taking exactly that entry's amounts back out, so the next invoice
-- bills them again. Supersedes invoice_usage_snapshots, whose "latest" was chosen by invoice month rather
-- than by the order in which things were billed.
create table billing_ledger (
  account_id       uuid not null, -- no foreign key of its own: the invoice each entry names has one
  usage_period     date not null check (extract(day from usage_period) = 1),
  seq              integer not null check (seq >= 1),
  from_seq         integer check (from_seq = seq - 1),
  kind             text not null check (kind in ('month', 'adjustment', 'release')),
  invoice_id       uuid not null references invoices (id), -- the invoice that billed it; for a release, the voided one
  releases_seq     integer check (releases_seq < seq),      -- for a release: the entry it takes back
  -- the live invoice of usage_period itself after this entry; null: the month waits for its own (re-)run and
  -- no other invoice may adjust it
  month_invoice_id uuid,
  -- the month's billed totals after this entry: usage as priced (init share left out when the version does
  -- not bill init) and the money billed for it
  requests         bigint not null check (requests >= 0),
  x86_mb_ms        bigint not null check (x86_mb_ms >= 0),
  arm_mb_ms        bigint not null check (arm_mb_ms >= 0),
  ephemeral_mb_ms  bigint not null check (ephemeral_mb_ms >= 0),
  amount           numeric(20, 2) not null,
  price_version_id text not null references price_versions (id),
  free_tier        boolean not null,
  created_at       timestamptz not null default now(),
  primary key (account_id, usage_period, seq),
  foreign key (account_id, usage_period, from_seq) references billing_ledger (account_id, usage_period, seq),
  foreign key (account_id, usage_period, releases_seq) references billing_ledger (account_id, usage_period, seq),
  check ((seq = 1) = (from_seq is null)),
  check (kind = 'month' or from_seq is not null),
  check ((kind = 'release') = (releases_seq is not null)),
  check ((kind = 'month') = (month_invoice_id is not distinct from invoice_id))
);
-- an entry is taken back at most once
create unique index billing_ledger_released_once on billing_ledger (account_id, usage_period, releases_seq) where releases_seq is not null;

create trigger billing_ledger_append_only before update or delete on billing_ledger
  for each row execute function refuse_change();

-- The history kept so far: for each month, the snapshots of its live invoices in the order they were
-- finalized, from its own invoice on (an older chain that does not start there is left to be re-run).
insert into billing_ledger (account_id, usage_period, seq, from_seq, kind, invoice_id, month_invoice_id,
                            requests, x86_mb_ms, arm_mb_ms, ephemeral_mb_ms, amount, price_version_id, free_tier, created_at)
select account_id, period, n::int, nullif(n - 1, 0)::int, case when n = 1 then 'month' else 'adjustment' end, invoice_id, own_id,
       requests, x86_mb_ms, arm_mb_ms, ephemeral_mb_ms, amount, price_version_id, free_tier, finalized_at
from (
  select s.*, i.finalized_at, own.id as own_id,
         row_number() over (partition by s.account_id, s.period order by i.finalized_at, i.period) as n
  from invoice_usage_snapshots s
  join invoices i on i.id = s.invoice_id and i.status = 'finalized'
  join invoices own on own.account_id = s.account_id and own.period = s.period and own.status = 'finalized'
  where i.finalized_at >= own.finalized_at
) chain;

-- Each step must follow from the one before it: a month is billed whole only when nothing of it is billed,
-- an adjustment only while the month's own invoice stands, a release takes back exactly what its entry
-- added, for a void invoice, and a month's own billing is taken back only once nothing else of it stands. Checked for entries that follow another (the first entry of a month has
-- nothing to follow), so an invoice run's bulk of first entries pays nothing for it.
create function billing_ledger_follows() returns trigger language plpgsql as $$
declare
  prev billing_ledger;
  gone billing_ledger;
  before_gone billing_ledger;
begin
  select * into prev from billing_ledger
  where account_id = new.account_id and usage_period = new.usage_period and seq = new.from_seq;
  if not found then
    return new; -- the foreign key refuses it
  end if;
  if new.kind = 'month' then
    if prev.month_invoice_id is not null or (prev.requests, prev.x86_mb_ms, prev.arm_mb_ms, prev.ephemeral_mb_ms, prev.amount) <> (0, 0, 0, 0, 0) then
      raise exception 'billing_ledger: % of account % is still billed; its own invoice cannot bill it again', new.usage_period, new.account_id
        using errcode = '23514';
    end if;
  elsif new.kind = 'adjustment' then
    if prev.month_invoice_id is null or new.month_invoice_id <> prev.month_invoice_id
       or (new.price_version_id, new.free_tier) <> (prev.price_version_id, prev.free_tier) then
      raise exception 'billing_ledger: % of account % has no standing invoice of its own to adjust', new.usage_period, new.account_id
        using errcode = '23514';
    end if;
  else
    select * into gone from billing_ledger
    where account_id = new.account_id and usage_period = new.usage_period and seq = new.releases_seq;
    if not found then
      return new; -- the foreign key refuses it
    end if;
    if gone.kind = 'release' or gone.invoice_id <> new.invoice_id
       or not exists (select 1 from invoices where id = new.invoice_id and status = 'void') then
      raise exception 'billing_ledger: entry % of % (account %) is not a void invoice''s billing', new.releases_seq, new.usage_period, new.account_id
        using errcode = '23514';
    end if;
    select * into before_gone from billing_ledger
    where account_id = new.account_id and usage_period = new.usage_period and seq = gone.from_seq;
    if (new.requests, new.x86_mb_ms, new.arm_mb_ms, new.ephemeral_mb_ms, new.amount) is distinct from (
         prev.requests - (gone.requests - coalesce(before_gone.requests, 0)),
         prev.x86_mb_ms - (gone.x86_mb_ms - coalesce(before_gone.x86_mb_ms, 0)),
         prev.arm_mb_ms - (gone.arm_mb_ms - coalesce(before_gone.arm_mb_ms, 0)),
         prev.ephemeral_mb_ms - (gone.ephemeral_mb_ms - coalesce(before_gone.ephemeral_mb_ms, 0)),
         prev.amount - (gone.amount - coalesce(before_gone.amount, 0)))
       or new.month_invoice_id is distinct from (case when gone.kind = 'month' then null else prev.month_invoice_id end) then
      raise exception 'billing_ledger: a release must take back exactly what entry % of % (account %) billed', new.releases_seq, new.usage_period, new.account_id
        using errcode = '23514';
    end if;
    -- a month's own invoice goes last: while a later invoice's adjustment of it stands, re-running the month
    -- would bill that late usage twice
    if gone.kind = 'month' and (new.requests, new.x86_mb_ms, new.arm_mb_ms, new.ephemeral_mb_ms, new.amount) <> (0, 0, 0, 0, 0) then
      raise exception 'billing_ledger: later invoices still bill late usage of % (account %); void them first', new.usage_period, new.account_id
        using errcode = '23514';
    end if;
  end if;
  return new;
end $$;
create trigger billing_ledger_follows before insert on billing_ledger
  for each row when (new.from_seq is not null) execute function billing_ledger_follows();

comment on table invoice_usage_snapshots is 'superseded by billing_ledger (migration 0009); kept as history, no longer written';
