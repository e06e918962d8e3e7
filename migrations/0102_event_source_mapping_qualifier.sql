-- An event source mapping may name an alias or a published version of its function (docs/sources.md,
-- "Versions and aliases"), as Lambda's mappings on `my-function:live` do: null runs the latest version
-- ($LATEST, never stored by that name). The qualifier is resolved when each batch runs, so no foreign key
-- ties it to the alias: an alias may be moved, and deleted, while mappings name it (Lambda allows both);
-- a batch for a deleted alias then fails as a function not found, through the mapping's retries and
-- failure destination.
alter table event_source_mappings
  add column qualifier text,
  add constraint event_source_mappings_qualifier_check check (
    qualifier is null or qualifier ~ '^[0-9]{1,9}$' or (qualifier ~ '^[A-Za-z0-9_-]{1,128}$' and qualifier !~ '^[0-9]+$')
  );
