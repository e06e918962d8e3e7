-- The audit log's order and times are the database's, not the writer's. The api's role may only append to it
-- (migration 0010), but it could append an entry dated in the past (an explicit `at`) or numbered among the old
-- ones (an explicit id, `overriding system value`), slipping a made-up change in before the real ones. For any
-- writer but the owner (a restore's COPY keeps the entries' own ids and times), an entry's id must be the one the
-- sequence just gave it, and its time is the transaction's.
create function audit_log_stamp() returns trigger language plpgsql as $$
declare
  given bigint;
begin
  if pg_has_role(current_user, (select relowner from pg_class where oid = tg_relid), 'USAGE') then
    return new;
  end if;
  -- An id from the column's default was drawn by nextval just now, in this session, so currval names it. An id of
  -- the writer's own is refused here, or by currval itself in a session that never drew one. No exception block:
  -- one per row would open a subtransaction for every entry of an invoice run's page.
  given := currval(pg_get_serial_sequence('public.audit_log', 'id'));
  if given <> new.id then
    raise exception 'an audit log entry''s id is the one its sequence gives it, not %', new.id using errcode = 'P0001';
  end if;
  new.at := now();
  return new;
end $$;

create trigger audit_log_stamp before insert on audit_log
  for each row execute function audit_log_stamp();
