-- An event-invoke configuration per qualifier, as Lambda's PutFunctionEventInvokeConfig takes `Qualifier`
-- (docs/events.md, "Per alias or version"): `$LATEST` (stored as null, the function's configuration every
-- row was before), a published version number, or an alias. An asynchronous event takes the configuration of
-- the qualifier it was queued for (async_invocations.qualifier; null: $LATEST), with no fallback to another.
-- A version is stored as its number without leading zeros (`3`, never `03`), as the queue stores it.
alter table event_invoke_configs
  add column qualifier text
    check (qualifier ~ '^[1-9][0-9]{0,8}$' or (qualifier ~ '^[A-Za-z0-9_-]{1,128}$' and qualifier !~ '^[0-9]+$')),
  -- The qualifier as Lambda names it, never null. It keys the row: one configuration per (account, function,
  -- qualifier), `$LATEST` counted as one value (what a unique key NULLS NOT DISTINCT on `qualifier` would say,
  -- here on any Postgres), and it lets the queue's join and the secret-key rotation (which pages and re-seals
  -- rows by their key, src/modules/secrets/secrets.repository.ts) compare keys without a null in them.
  add column qualifier_key text not null generated always as (coalesce(qualifier, '$LATEST')) stored,
  -- The alias a configuration belongs to (null for $LATEST and versions): its foreign key below.
  add column alias text generated always as (case when qualifier !~ '^[0-9]+$' then qualifier end) stored;

alter table event_invoke_configs
  drop constraint event_invoke_configs_pkey,
  add primary key (account_id, function_id, qualifier_key);

-- The alias must exist when its configuration is written, and deleting the alias deletes its configuration:
-- the database says both, so a configuration cannot outlive its alias and come back for a new alias of the same
-- name. A published version is never deleted on its own (only with its function, which deletes every row by
-- the function's key), so the service's check when writing suffices for versions.
alter table event_invoke_configs
  add constraint event_invoke_configs_alias_fkey foreign key (account_id, function_id, alias)
    references function_aliases (account_id, function_id, name) on delete cascade;

-- A webhook destination's delivery is signed with the secret of the configuration whose destination it is:
-- the event's qualifier (null: $LATEST, as for every delivery written before). Deleting that configuration (or
-- its alias) cancels the pending delivery, as deleting the function's did.
alter table async_destination_deliveries
  add column qualifier text check (qualifier ~ '^[A-Za-z0-9_-]{1,128}$');
