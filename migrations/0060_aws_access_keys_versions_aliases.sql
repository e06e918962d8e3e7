-- The Lambda API (src/modules/aws): SigV4 access keys, published versions and aliases.

-- SigV4 needs the secret on the server, so it is kept sealed (src/lib/secret-box.ts, the access
-- key id bound as context), never hashed. An id is AKIA and 16 random characters of [A-Z2-7]
-- (80 bits): unique per account by constraint, and in practice everywhere, so a lookup by id alone
-- is safe (as function URLs).
create table access_keys (
  account_id    uuid not null references accounts (id),
  id            text not null check (id ~ '^AKIA[A-Z2-7]{16}$'),
  secret_sealed text not null,
  created_at    timestamptz not null,
  revoked_at    timestamptz,
  primary key (account_id, id)
);
create index access_keys_id_idx on access_keys (id);
revoke delete on access_keys from tally_app;

-- A revoked access key reaches every replica's cache through the same polled revision as bearer keys.
create trigger access_keys_revision
  after update of revoked_at or delete on access_keys
  for each statement execute function api_key_revision_bump();

-- Every update writes a Tally version; PublishVersion marks one as published (Lambda's numbered
-- versions are Tally's version numbers, so they may skip: 1, 4, 7). Once, by primary key.
create table function_published_versions (
  account_id   uuid not null,
  function_id  uuid not null,
  version      integer not null,
  description  text not null default '' check (length(description) <= 256),
  published_at timestamptz not null,
  primary key (account_id, function_id, version),
  foreign key (account_id, function_id, version) references function_versions (account_id, function_id, version) on delete cascade
);
revoke update on function_published_versions from tally_app;

-- An alias names a published version, or the latest one ($LATEST) when version is null.
create table function_aliases (
  account_id  uuid not null,
  function_id uuid not null,
  name        text not null check (name ~ '^[A-Za-z0-9_-]{1,128}$' and name !~ '^[0-9]+$'),
  version     integer,
  description text not null default '' check (length(description) <= 256),
  revision_id uuid not null,
  created_at  timestamptz not null,
  updated_at  timestamptz not null,
  primary key (account_id, function_id, name),
  foreign key (account_id, function_id) references functions (account_id, id) on delete cascade,
  foreign key (account_id, function_id, version)
    references function_published_versions (account_id, function_id, version) on delete cascade
);

-- What the Lambda API keeps that Tally's own settings do not name: the execution role (accepted
-- and shown back; Tally grants no AWS rights), the description, and the runtime identifier as given.
create table function_aws_settings (
  account_id  uuid not null,
  function_id uuid not null,
  role        text,
  description text not null default '' check (length(description) <= 256),
  runtime     text,
  primary key (account_id, function_id),
  foreign key (account_id, function_id) references functions (account_id, id) on delete cascade
);
