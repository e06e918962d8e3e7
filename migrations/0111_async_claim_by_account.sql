-- The async claim is fair between accounts (async.repository.ts, claim): it walks the accounts that have events due
-- in account order, one index probe each, then takes each one's oldest due events. Both need the due events by
-- account, then by due time; the index by due time alone made one account's backlog hold up every other's events.
create index async_invocations_account_due_idx on async_invocations (account_id, due_at) where status in ('queued', 'running');
