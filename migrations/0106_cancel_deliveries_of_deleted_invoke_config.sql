-- A webhook delivery of an asynchronous event is signed with the secret of the event-invoke configuration its
-- record came from (migration 0104: the function's and the event's qualifier's), read when each attempt is made.
-- Deleting that configuration (DELETE ...?qualifier=, or its alias, or its function, by the cascades) cancels the
-- deliveries still pending, here, in the deleting statement: left pending, a retry found the configuration of the
-- same key set again since (an alias made again under its name, or the configuration written anew), with a new
-- secret and a new destination, and sent the old record to the old URL signed with the new secret. The service's
-- check at each attempt (no configuration: cancelled) stays for a delivery written after the deletion, whose event
-- was settling as it happened. An event source's failure record (webhook_secret of its own) is not affected.

create index async_destination_deliveries_pending_function_idx on async_destination_deliveries (account_id, function_id)
  where status = 'pending';

create function cancel_deliveries_of_deleted_invoke_config() returns trigger language plpgsql as $$
begin
  update async_destination_deliveries d
     set status = 'cancelled',
         last_error = 'the event-invoke-config the record came from (or its function or alias) was deleted'
   where d.account_id = old.account_id and d.function_id = old.function_id
     and coalesce(d.qualifier, '$LATEST') = old.qualifier_key
     and d.status = 'pending' and d.webhook_secret is null;
  return null;
end $$;

create trigger event_invoke_configs_cancel_deliveries after delete on event_invoke_configs
  for each row execute function cancel_deliveries_of_deleted_invoke_config();
