-- Retention of finished records (docs/operations.md, "Record retention"): asynchronous invocations with
-- their attempts and destination deliveries, schedule ticks, and budget alerts with their outbox rows
-- and delivery attempts, once finished and older than TALLY_RECORD_RETENTION_DAYS. Billing records
-- (usage, rollups, invoices, the ledger, the audit log, prices) are never touched by any of this.
--
-- The rules live here, in functions that run with the owner's rights, and nowhere else: the api's role
-- may still neither update nor delete async_attempts, budget_alerts or budget_alert_attempts, nor
-- delete outbox rows, except through these functions, and these delete only what their rule allows.
-- Each call is one bounded statement: at most p_limit rows of the table are looked at (never a scan of
-- the table), and rows another session holds are skipped (SKIP LOCKED), so replicas pruning at the
-- same time neither wait for nor fail on each other. Deletes are idempotent: what another replica
-- deleted first is simply not found.

-- An event source's failed batch is recorded at its failure destination once per mapping and batch
-- content (docs/sources.md): the claim of that once used to be the record's own unique key (the
-- delivery's primary key, the async event's source key), so the record could not go without letting a
-- second one through. The claim is now a row of its own, a few dozen bytes, written in the record's
-- transaction (and kept while the mapping exists, retention_prune_failure_claims); the record (its body
-- holds the whole batch, its delivery a sealed secret the start's secrets pass opens) is then finished
-- work like any other. `id` is the uuid the record is keyed by (async.service.ts, uuidFromKey).
create table event_source_failure_claims (
  account_id  uuid not null,
  id          uuid not null,
  mapping_id  uuid, -- null: a record an earlier release wrote whose mapping could not be read (kept)
  recorded_at timestamptz not null,
  primary key (account_id, id)
);
-- The api writes claims; only the retention rule below removes them.
revoke update, delete on event_source_failure_claims from tally_app;

-- The claims of the records written before. A function destination's event keeps its key in
-- source_key ('<mapping id>:<batch hash>'). A webhook delivery is keyed by the uuid made from the key (a
-- version-8 uuid); the mapping is the ARN its body (a JSON object) carries at the top level. The body is
-- read as json (about 30 µs a row); one holding a \u0000 escape, which Postgres's json functions
-- refuse, by the last match of a pattern instead (the top-level key comes after the record's payloads,
-- whose strings are escaped, and before the items): slower, and rare.
create function retention_mapping_of_record(body text) returns uuid language plpgsql immutable as $$
declare
  arn text;
begin
  begin
    arn := body::json ->> 'eventSourceMappingArn';
  exception when others then
    arn := substring(body from '^.*"eventSourceMappingArn":"(arn:[^"]*)","itemIdentifiers":');
  end;
  arn := split_part(arn, ':event-source-mapping:', 2);
  return case when arn ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then arn::uuid end;
end $$;

insert into event_source_failure_claims (account_id, id, mapping_id, recorded_at)
select a.account_id,
       encode(set_byte(set_byte(h, 6, (get_byte(h, 6) & 15) | 128), 8, (get_byte(h, 8) & 63) | 128), 'hex')::uuid,
       case when a.source_key ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:' then left(a.source_key, 36)::uuid end,
       a.created_at
  from async_invocations a,
       lateral (select substring(sha256(convert_to(a.source_key, 'UTF8')) from 1 for 16) as h) k
 where a.source = 'event-source' and a.source_key is not null
on conflict do nothing;
insert into event_source_failure_claims (account_id, id, mapping_id, recorded_at)
select d.account_id, d.request_id, retention_mapping_of_record(d.body), d.give_up_at - interval '3 days'
  from async_destination_deliveries d
 where substr(d.request_id::text, 15, 1) = '8'
on conflict do nothing;
drop function retention_mapping_of_record(text);

-- What each rule walks, oldest first.
create index async_invocations_finished_idx on async_invocations (finished_at, account_id, id) where finished_at is not null;
create index async_destination_deliveries_done_idx on async_destination_deliveries (give_up_at) where status <> 'pending';
create index event_source_failure_claims_recorded_idx on event_source_failure_claims (recorded_at, account_id, id);
create index schedule_ticks_tick_idx on schedule_ticks (tick);
create index budget_alerts_period_idx on budget_alerts (period, id);

-- Every rule's floor: nothing younger than a day goes, whatever the caller asks (TALLY_RECORD_RETENTION_DAYS
-- is at least 1). The unique keys these rows carry stop duplicates for at most that long: 6 hours for a
-- schedule tick (the largest maximumEventAgeS), a day into the next month for a budget alert.
create function retention_check(p_cutoff timestamptz, p_limit integer) returns void language plpgsql as $$
begin
  if p_cutoff is null or p_cutoff > now() - interval '1 day' then
    raise exception 'retention cut-off % is less than a day ago', p_cutoff using errcode = 'P0001';
  end if;
  if p_limit is null or p_limit not between 1 and 10000 then
    raise exception 'retention batch of % rows: must be 1 to 10000', p_limit using errcode = 'P0001';
  end if;
end $$;

-- Asynchronous invocations finished (succeeded, failed or expired: finished_at is set exactly then)
-- before p_cutoff, looked at in (finished_at, account_id, id) order after the given position, at most
-- p_limit of them; answers how many were looked at, what went, and the last position looked at. One
-- goes, with its attempts and its webhook destination delivery, once no delivery of it is still pending
-- (one finishes within 3 days of the outcome).
-- Why no duplicate can come once it is gone: a finished row is never claimed or settled again (both
-- need status queued or running), so nothing can write its attempts, its destination delivery (keyed
-- by its id) or its function destination's event (source 'destination', keyed by its id) again. A
-- schedule's event (source 'schedule') is guarded by its schedule_ticks row, which outlives any tick
-- the scheduler may still fire; an event source's failed-batch record (source 'event-source') by its
-- event_source_failure_claims row, kept while the mapping exists.
create function retention_prune_async(p_cutoff timestamptz, p_after_at timestamptz, p_after_account uuid, p_after_id uuid,
                                      p_limit integer)
returns table (n_scanned integer, n_invocations integer, n_attempts integer, n_deliveries integer,
               last_at timestamptz, last_account uuid, last_id uuid)
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  perform retention_check(p_cutoff, p_limit);
  return query
  with scanned as (
    select a.account_id, a.id, a.finished_at from async_invocations a
     where a.finished_at < p_cutoff
       and (a.finished_at, a.account_id, a.id) > (coalesce(p_after_at, '-infinity'::timestamptz),
                                                   coalesce(p_after_account, '00000000-0000-0000-0000-000000000000'::uuid),
                                                   coalesce(p_after_id, '00000000-0000-0000-0000-000000000000'::uuid))
     order by a.finished_at, a.account_id, a.id
     limit p_limit
  ),
  victims as (
    select a.account_id, a.id from async_invocations a
      join scanned s on s.account_id = a.account_id and s.id = a.id
     where not exists (select 1 from async_destination_deliveries d
                        where d.account_id = a.account_id and d.request_id = a.id and d.status = 'pending')
     for update of a skip locked
  ),
  gone_attempts as (
    delete from async_attempts t using victims v where t.account_id = v.account_id and t.request_id = v.id returning 1
  ),
  gone_deliveries as (
    delete from async_destination_deliveries d using victims v
     where d.account_id = v.account_id and d.request_id = v.id returning 1
  ),
  gone as (
    delete from async_invocations a using victims v where a.account_id = v.account_id and a.id = v.id returning 1
  ),
  last_seen as (
    select s.finished_at, s.account_id, s.id from scanned s order by s.finished_at desc, s.account_id desc, s.id desc limit 1
  )
  select (select count(*) from scanned)::integer, (select count(*) from gone)::integer,
         (select count(*) from gone_attempts)::integer, (select count(*) from gone_deliveries)::integer,
         (select l.finished_at from last_seen l), (select l.account_id from last_seen l), (select l.id from last_seen l);
end $$;

-- Webhook deliveries finished (delivered, failed or cancelled) and past their last possible retry
-- (give_up_at, 3 days after they were written) before p_cutoff, oldest first, at most p_limit: an event
-- source's failed batch's, and any an invocation left (its own goes with it, above). The primary key
-- stops a second delivery of the same outcome or batch: an invocation's outcome is settled once (above),
-- and a batch's is claimed in event_source_failure_claims.
create function retention_prune_deliveries(p_cutoff timestamptz, p_limit integer) returns integer
language plpgsql security definer set search_path = public, pg_temp as $$
declare
  n integer;
begin
  perform retention_check(p_cutoff, p_limit);
  with victims as (
    select account_id, request_id from async_destination_deliveries
     where status <> 'pending' and give_up_at < p_cutoff
     order by give_up_at limit p_limit
     for update skip locked
  )
  delete from async_destination_deliveries d using victims v
   where d.account_id = v.account_id and d.request_id = v.request_id;
  get diagnostics n = row_count;
  return n;
end $$;

-- The claims of event sources' failed batches whose mapping is gone, recorded before p_cutoff, looked
-- at in (recorded_at, account_id, id) order after the given position, at most p_limit. A batch whose
-- acknowledgement was lost (a crash right after its record) is delivered again by the broker whenever
-- the mapping next polls, which may be after any time (a mapping disabled for months, a batch held by a
-- hard cap), and its retries may fail again: the claim refuses that second record, so it stays while
-- the mapping exists. A deleted mapping's consumer group, slot, durable consumer or session goes with
-- it, and its id is never used again.
create function retention_prune_failure_claims(p_cutoff timestamptz, p_after_at timestamptz, p_after_account uuid,
                                               p_after_id uuid, p_limit integer)
returns table (n_scanned integer, n_claims integer, last_at timestamptz, last_account uuid, last_id uuid)
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  perform retention_check(p_cutoff, p_limit);
  return query
  with scanned as (
    select c.account_id, c.id, c.recorded_at from event_source_failure_claims c
     where c.recorded_at < p_cutoff
       and (c.recorded_at, c.account_id, c.id) > (coalesce(p_after_at, '-infinity'::timestamptz),
                                                   coalesce(p_after_account, '00000000-0000-0000-0000-000000000000'::uuid),
                                                   coalesce(p_after_id, '00000000-0000-0000-0000-000000000000'::uuid))
     order by c.recorded_at, c.account_id, c.id
     limit p_limit
  ),
  victims as (
    select c.account_id, c.id from event_source_failure_claims c
      join scanned s on s.account_id = c.account_id and s.id = c.id
     where c.mapping_id is not null and not exists (select 1 from event_source_mappings m where m.id = c.mapping_id)
     for update of c skip locked
  ),
  gone as (
    delete from event_source_failure_claims c using victims v where c.account_id = v.account_id and c.id = v.id returning 1
  ),
  last_seen as (
    select s.recorded_at, s.account_id, s.id from scanned s order by s.recorded_at desc, s.account_id desc, s.id desc limit 1
  )
  select (select count(*) from scanned)::integer, (select count(*) from gone)::integer,
         (select l.recorded_at from last_seen l), (select l.account_id from last_seen l), (select l.id from last_seen l);
end $$;

-- Schedule ticks before p_cutoff, oldest first, at most p_limit. The primary key (schedule, tick) is
-- what fires a tick once; the scheduler never fires a tick older than the target's maximumEventAgeS
-- (at most 21,600 s: it skips to the first younger one, schedules.service.ts), and a tick is only
-- recorded once it is due, so a tick more than a day old can never be recorded again.
create function retention_prune_schedule_ticks(p_cutoff timestamptz, p_limit integer) returns integer
language plpgsql security definer set search_path = public, pg_temp as $$
declare
  n integer;
begin
  perform retention_check(p_cutoff, p_limit);
  with victims as (
    select account_id, schedule_id, tick from schedule_ticks where tick < p_cutoff
     order by tick limit p_limit
     for update skip locked
  )
  delete from schedule_ticks t using victims v
   where t.account_id = v.account_id and t.schedule_id = v.schedule_id and t.tick = v.tick;
  get diagnostics n = row_count;
  return n;
end $$;

-- Budget alerts, each with its outbox row and delivery attempts, looked at in (period, id) order after
-- the given position, at most p_limit. One goes when it was recorded before p_cutoff, its delivery is
-- over (no outbox row, or one delivered, failed or cancelled whose last round, a redelivery's included,
-- gave up before p_cutoff), and its month can no longer be evaluated: the unique (account, budget,
-- month, threshold) key records one alert per month, and a month is evaluated while it lasts and for
-- the first day of the next (LATE_USAGE_WINDOW_MS, budgets.evaluator.ts). So the month must have ended
-- a day before p_cutoff, itself at least a day ago.
create function retention_prune_budget_alerts(p_cutoff timestamptz, p_after_period date, p_after_id uuid, p_limit integer)
returns table (n_scanned integer, n_alerts integer, n_outbox integer, n_attempts integer, last_period date, last_id uuid)
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  perform retention_check(p_cutoff, p_limit);
  return query
  with scanned as (
    select a.id, a.period from budget_alerts a
     where a.period < (date_trunc('month', (p_cutoff - interval '1 day') at time zone 'UTC'))::date
       and (a.period, a.id) > (coalesce(p_after_period, '-infinity'::date), coalesce(p_after_id, '00000000-0000-0000-0000-000000000000'::uuid))
     order by a.period, a.id
     limit p_limit
  ),
  victims as (
    select a.id from budget_alerts a
      join scanned s on s.id = a.id
     where a.created_at < p_cutoff
       and not exists (select 1 from budget_alert_outbox o
                        where o.alert_id = a.id and (o.status = 'pending' or o.give_up_at >= p_cutoff))
     for update of a skip locked
  ),
  gone_attempts as (
    delete from budget_alert_attempts t using victims v where t.alert_id = v.id returning 1
  ),
  gone_outbox as (
    delete from budget_alert_outbox o using victims v where o.alert_id = v.id returning 1
  ),
  gone as (
    delete from budget_alerts a using victims v where a.id = v.id returning 1
  ),
  last_seen as (
    select s.period, s.id from scanned s order by s.period desc, s.id desc limit 1
  )
  select (select count(*) from scanned)::integer, (select count(*) from gone)::integer,
         (select count(*) from gone_outbox)::integer, (select count(*) from gone_attempts)::integer,
         (select l.period from last_seen l), (select l.id from last_seen l);
end $$;

revoke execute on function retention_prune_async(timestamptz, timestamptz, uuid, uuid, integer) from public;
revoke execute on function retention_prune_deliveries(timestamptz, integer) from public;
revoke execute on function retention_prune_failure_claims(timestamptz, timestamptz, uuid, uuid, integer) from public;
revoke execute on function retention_prune_schedule_ticks(timestamptz, integer) from public;
revoke execute on function retention_prune_budget_alerts(timestamptz, date, uuid, integer) from public;
grant execute on function retention_prune_async(timestamptz, timestamptz, uuid, uuid, integer) to tally_app;
grant execute on function retention_prune_deliveries(timestamptz, integer) to tally_app;
grant execute on function retention_prune_failure_claims(timestamptz, timestamptz, uuid, uuid, integer) to tally_app;
grant execute on function retention_prune_schedule_ticks(timestamptz, integer) to tally_app;
grant execute on function retention_prune_budget_alerts(timestamptz, date, uuid, integer) to tally_app;
