-- Record retention (docs/operations.md, "Record retention"; the rules of migration 0098): two more rules.
--
-- 1. Replayed quarantined usage. An entry of usage_quarantine not yet replayed is unbilled usage: it stays, whatever
--    its age. One replayed (replayed_at set, whatever the outcome) is finished work: ingest has decided it once and
--    for all, by usage_events' primary key (account, invocation id), which is kept for ever. Deleting it can neither
--    bill the event twice nor lose it:
--    - accepted: the event is in usage_events; duplicate: the same invocation was billed before; conflict: another
--      content of it was billed, and ingest answers conflict to this one whenever it comes (nothing of it can be billed).
--    - Should the executor hand the same refused event over again once its entry is gone (a file it resent after a
--      lost acknowledgement, a spool restored from a backup), the quarantine's unique key (account, invocation id,
--      event hash) no longer holds it, and it is stored as a new entry, not replayed: nothing is billed by that. An
--      admin replaying it gets `duplicate` or `conflict` from the same primary key, never a second charge.
--    - Retention deletes only rows whose replayed_at is set, and a replay marks only a row whose replayed_at is null
--      (quarantine.repository.ts, markReplayed), so a pass and a replay never want the same row.
--    The api's role may still not delete usage_quarantine rows (migration 0010 gave it select, insert, update).
--
-- 2. The claims of event sources' failed batches whose mapping is gone (event_source_failure_claims). The rule of
--    0098 walked every claim older than the cut-off, oldest first, to find those of deleted mappings: a mapping that
--    has failed often for years made every hourly pass walk all its claims, none of which may go. The claims are now
--    walked by mapping, along an index on mapping_id: one probe per mapping that has claims (the next mapping id
--    after the last), and only the claims of a mapping that no longer exists are read, to be deleted. A pass's work
--    is the number of mappings with claims plus the claims it deletes, whatever the live mappings have piled up.

create index usage_quarantine_replayed_idx on usage_quarantine (replayed_at, id) where replayed_at is not null;

-- Replayed entries whose replay is older than p_cutoff, oldest first, at most p_limit: every one looked at goes.
create function retention_prune_usage_quarantine(p_cutoff timestamptz, p_limit integer) returns integer
language plpgsql security definer set search_path = public, pg_temp as $$
declare
  n integer;
begin
  perform retention_check(p_cutoff, p_limit);
  with victims as (
    select id from usage_quarantine
     where replayed_at < p_cutoff
     order by replayed_at, id limit p_limit
     for update skip locked
  )
  delete from usage_quarantine q using victims v where q.id = v.id;
  get diagnostics n = row_count;
  return n;
end $$;

create index event_source_failure_claims_mapping_idx on event_source_failure_claims (mapping_id, recorded_at)
  where mapping_id is not null;

-- The walk oldest first and its index go. A replica of the earlier release still running calls the old function
-- and fails its pass at that step (logged; the new replicas' passes do the work): see operations.md, "Upgrading to
-- migration 0105".
drop function retention_prune_failure_claims(timestamptz, timestamptz, uuid, uuid, integer);
drop index event_source_failure_claims_recorded_idx;

-- The claims of deleted mappings recorded before p_cutoff. Walks the mappings that have claims in id order after
-- p_after_mapping (null: from the first), one index probe each, at most p_limit of them; of each mapping that no
-- longer exists it deletes the claims recorded before p_cutoff, oldest first, at most p_limit in all, passing over
-- those another session holds (SKIP LOCKED). Answers how many mappings it looked at, how many claims went, where
-- the next call starts (after last_mapping) and whether there is more to do: `more` is false once the walk has
-- passed the last mapping without filling either limit.
-- Why a claim of a live mapping never goes: the check reads event_source_mappings in this statement's snapshot, and
-- a mapping id is never used again once its row is deleted (a new mapping gets a new uuid), so a mapping seen gone
-- stays gone; one whose deletion has not committed yet is still seen, and its claims stay until a later pass. Why
-- it must not go: a batch whose acknowledgement was lost is delivered again whenever the mapping next polls (months
-- later, if it was disabled), may fail again, and its claim is what refuses the second record (migration 0098).
create function retention_prune_failure_claims(p_cutoff timestamptz, p_after_mapping uuid, p_limit integer)
returns table (n_mappings integer, n_claims integer, last_mapping uuid, more boolean)
language plpgsql security definer set search_path = public, pg_temp as $$
declare
  v_mapping uuid;
  v_gone    integer;
begin
  perform retention_check(p_cutoff, p_limit);
  n_mappings := 0;
  n_claims := 0;
  last_mapping := p_after_mapping;
  more := false;
  loop
    if n_mappings >= p_limit then
      more := true;
      exit;
    end if;
    -- The next mapping that has claims: the first entry of the index after the last one (a skip scan).
    -- (Not min(): Postgres has no min of uuid before 16.)
    if last_mapping is null then
      select c.mapping_id into v_mapping from event_source_failure_claims c
       where c.mapping_id is not null order by c.mapping_id limit 1;
    else
      select c.mapping_id into v_mapping from event_source_failure_claims c
       where c.mapping_id > last_mapping order by c.mapping_id limit 1;
    end if;
    exit when v_mapping is null;
    n_mappings := n_mappings + 1;
    if not exists (select 1 from event_source_mappings m where m.id = v_mapping) then
      with victims as (
        select c.account_id, c.id from event_source_failure_claims c
         where c.mapping_id = v_mapping and c.recorded_at < p_cutoff
         order by c.recorded_at
         limit p_limit - n_claims
         for update skip locked
      )
      delete from event_source_failure_claims c using victims v where c.account_id = v.account_id and c.id = v.id;
      get diagnostics v_gone = row_count;
      n_claims := n_claims + v_gone;
      if n_claims >= p_limit then
        -- This mapping may have more: the next call starts at it again (last_mapping stays before it).
        more := true;
        exit;
      end if;
    end if;
    last_mapping := v_mapping;
  end loop;
  return next;
end $$;

revoke execute on function retention_prune_usage_quarantine(timestamptz, integer) from public;
revoke execute on function retention_prune_failure_claims(timestamptz, uuid, integer) from public;
grant execute on function retention_prune_usage_quarantine(timestamptz, integer) to tally_app;
grant execute on function retention_prune_failure_claims(timestamptz, uuid, integer) to tally_app;
