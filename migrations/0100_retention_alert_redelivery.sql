-- Record retention of budget alerts (migration 0098, retention_prune_budget_alerts), without losing a redelivery.
-- The rule read "no delivery pending" in the snapshot its statement started with, then deleted the alert's outbox
-- row whatever it had become since: a redelivery (POST /v1/alerts/:id/redeliver, which sets the row pending
-- again) that committed in between was answered as accepted and then deleted with the alert. Now the alerts and
-- their outbox rows are locked first, and what may go is read again after that, by a statement of its own (a
-- fresh snapshot): a redelivery that committed before the locks is seen (the alert stays), and one that comes
-- after waits for this transaction (an outbox row's lock, or the alert's through the foreign key of a new row)
-- and then finds the alert gone (404 ALERT_NOT_FOUND). What goes, and why, is as before.
create or replace function retention_prune_budget_alerts(p_cutoff timestamptz, p_after_period date, p_after_id uuid, p_limit integer)
returns table (n_scanned integer, n_alerts integer, n_outbox integer, n_attempts integer, last_period date, last_id uuid)
language plpgsql security definer set search_path = public, pg_temp as $$
declare
  v_ids  uuid[];
  v_held uuid[];
begin
  perform retention_check(p_cutoff, p_limit);
  -- What is looked at, where the walk stops, and the alerts that may go by this snapshot, locked (SKIP LOCKED).
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
  last_seen as (
    select s.period, s.id from scanned s order by s.period desc, s.id desc limit 1
  )
  select (select count(*) from scanned)::integer, (select l.period from last_seen l), (select l.id from last_seen l),
         (select array_agg(v.id) from victims v)
    into n_scanned, last_period, last_id, v_ids;

  -- Their outbox rows, locked (one a redelivery is writing right now is passed over, and so is its alert).
  select array_agg(h.alert_id) into v_held
    from (select o.alert_id from budget_alert_outbox o where o.alert_id = any(v_ids) for update skip locked) h;

  -- Read again, as things stand now that nothing can change them: a redelivery committed since the first look keeps its alert.
  select array_agg(v.id) into v_ids
    from unnest(v_ids) as v(id)
   where not exists (select 1 from budget_alert_outbox o
                      where o.alert_id = v.id
                        and (o.status = 'pending' or o.give_up_at >= p_cutoff or not (o.alert_id = any(coalesce(v_held, '{}'::uuid[])))));

  delete from budget_alert_attempts t where t.alert_id = any(v_ids);
  get diagnostics n_attempts = row_count;
  delete from budget_alert_outbox o where o.alert_id = any(v_ids);
  get diagnostics n_outbox = row_count;
  delete from budget_alerts a where a.id = any(v_ids);
  get diagnostics n_alerts = row_count;
  return next;
end $$;
