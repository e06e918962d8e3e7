-- A counter every api replica polls (about once a second) to learn that a key was revoked: the
-- replicas cache verified keys, and a changed revision empties their caches. Bumped by a trigger in
-- the revoking transaction, so it changes only when the revocation is committed (a replica that
-- re-reads the key at once sees it revoked).
create table api_key_revision (
  id       boolean primary key default true check (id),
  revision bigint not null
);
insert into api_key_revision (revision) values (0);

create function api_key_revision_bump() returns trigger language plpgsql as $$
begin
  update api_key_revision set revision = revision + 1;
  return null;
end $$;

create trigger api_keys_revision
  after update of revoked_at or delete on api_keys
  for each statement execute function api_key_revision_bump();
