-- Least privilege. Migrations run as the owner of every table; the api runs as a login role that is a
-- member of tally_app, which owns nothing and holds only the privileges the code uses. Without
-- ownership it cannot TRUNCATE, ALTER a table or DISABLE a TRIGGER, so the immutability that the
-- triggers and grants below enforce holds against the api itself.

-- Roles are cluster-wide, while migrations run per database: another Tally database on the same
-- server (or a migration running at the same instant) may have created it already.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'tally_app') then
    create role tally_app nologin;
  end if;
exception
  when duplicate_object or unique_violation then null;
end $$;

-- Postgres 14 and older let every role create tables in public (and so own them).
revoke create on schema public from public;
grant usage on schema public to tally_app;

grant select on kysely_migration, kysely_migration_lock to tally_app;

-- Append-only: written once, read forever.
grant select, insert on
  usage_dedup, usage_events, price_versions, price_tiers, invoice_usage_snapshots, audit_log,
  function_versions, platform_secrets, budget_alerts, budget_alert_attempts
  to tally_app;

-- Rows the code updates in place (upserted rollups, key revocation, budgets, delivery state...).
grant select, insert, update on
  accounts, api_keys, usage_hourly, usage_monthly, budgets, budget_states, budget_alert_outbox, usage_quarantine
  to tally_app;

-- Rows the code also deletes: functions and their unshared code, executors that left, old ticks.
grant select, insert, update, delete on functions, executors to tally_app;
grant select, insert, delete on function_code, budget_evaluation_ticks to tally_app;

-- Invoices: drafts are refreshed, finalized in place or deleted; a finalized or void invoice is
-- changed by nobody but the owner, and voiding goes through void_invoice() below. Lines are
-- replaced while their invoice is open (invoice_lines_guard) and never updated.
grant select, insert, update, delete on invoices to tally_app;
grant select, insert, delete on invoice_lines to tally_app;

grant usage on all sequences in schema public to tally_app;

create function invoices_owner_only() returns trigger language plpgsql as $$
begin
  if old.status <> 'draft' and not pg_has_role(current_user, (select relowner from pg_class where oid = tg_relid), 'USAGE') then
    if tg_op = 'DELETE' then
      raise exception 'invoice % is %: it cannot be deleted', old.id, old.status using errcode = 'P0001';
    end if;
    raise exception 'invoice % is %: only void_invoice() may change it', old.id, old.status using errcode = 'P0001';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end $$;
create trigger invoices_owner_only before update or delete on invoices
  for each row execute function invoices_owner_only();

-- The one change a finalized invoice admits, run with the owner's rights (invoices_guard still
-- checks that nothing but the status and the void fields moves).
create function void_invoice(invoice uuid, reason text, at timestamptz) returns void
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  update invoices set status = 'void', voided_at = at, void_reason = reason where id = invoice and status = 'finalized';
  if not found then
    raise exception 'invoice % is not finalized: only a finalized invoice can be voided', invoice using errcode = 'P0001';
  end if;
end $$;
revoke execute on function void_invoice(uuid, text, timestamptz) from public;
grant execute on function void_invoice(uuid, text, timestamptz) to tally_app;

-- A month's partition is created by the ingest that first needs it; creating a partition takes
-- the parent's owner, so the function runs with the owner's rights.
alter function usage_ensure_partition(timestamptz) security definer set search_path = public, pg_temp;
revoke execute on function usage_ensure_partition(timestamptz) from public;
grant execute on function usage_ensure_partition(timestamptz) to tally_app;

-- Tables created by later migrations (run by this same owner) start with plain read and write
-- rights; a migration that adds an append-only table revokes update and delete on it. Tables an
-- earlier migration added that this one does not name get the same.
alter default privileges in schema public grant select, insert, update, delete on tables to tally_app;
alter default privileges in schema public grant usage on sequences to tally_app;
do $$
declare
  t record;
begin
  for t in
    select c.relname from pg_class c
    where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and not c.relispartition
      and not has_table_privilege('tally_app', c.oid, 'select')
  loop
    execute format('grant select, insert, update, delete on %I to tally_app', t.relname);
  end loop;
end $$;
