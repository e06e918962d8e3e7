-- A function URL belongs to the function (qualifier null: it runs the latest version, as every URL did
-- before) or to one of its aliases (docs/events.md, "Function URLs"), as Lambda's CreateFunctionUrlConfig
-- takes `Qualifier=live`: each its own URL, auth type and CORS. A version number is never a URL's
-- qualifier (Lambda refuses one), nor is `$LATEST` (that is the unqualified URL, stored as null).
alter table function_urls
  add column qualifier text,
  add constraint function_urls_qualifier_check check (qualifier ~ '^[A-Za-z0-9_-]{1,128}$' and qualifier !~ '^[0-9]+$');

-- One URL per (function, qualifier), the function's own (null) counted as one value: a race of two
-- creates cannot give the function two unqualified URLs. The machines and the embedded Postgres run 15 or later.
alter table function_urls
  drop constraint function_urls_pkey,
  add constraint function_urls_function_qualifier_key unique nulls not distinct (account_id, function_id, qualifier);

-- The alias must exist when its URL is made, and deleting the alias deletes its URL, as Lambda does:
-- the database says both, so a URL cannot outlive its alias and run something else. A null qualifier
-- (the function's own URL) is not checked (MATCH SIMPLE).
alter table function_urls
  add constraint function_urls_alias_fkey foreign key (account_id, function_id, qualifier)
    references function_aliases (account_id, function_id, name) on delete cascade;

-- The URL's id keys the table now (it was already unique per account).
alter table function_urls
  drop constraint function_urls_account_id_url_id_key,
  add primary key (account_id, url_id);
