-- Functions, their immutable versions and their code; the executors that run them.

-- A zip is stored once per account, addressed by its SHA-256 (hex); executors fetch it by hash.
create table function_code (
  account_id     uuid not null references accounts (id),
  sha256         text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  zip            bytea not null,
  zip_bytes      integer not null check (zip_bytes > 0),
  unzipped_bytes bigint not null check (unzipped_bytes >= 0),
  created_at     timestamptz not null default now(),
  primary key (account_id, sha256)
);
create index function_code_sha256_idx on function_code (sha256);

create table functions (
  account_id     uuid not null references accounts (id),
  id             uuid not null default gen_random_uuid(),
  name           text not null check (name ~ '^[A-Za-z0-9_-]{1,64}$'),
  latest_version integer not null default 1 check (latest_version >= 1),
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  primary key (account_id, id),
  unique (account_id, name)
);

-- Every code or configuration update writes a new version; a version never changes.
create table function_versions (
  account_id           uuid not null,
  function_id          uuid not null,
  version              integer not null check (version >= 1),
  runtime              text not null check (runtime in ('nodejs', 'python', 'provided')),
  handler              text not null check (length(handler) between 1 and 128),
  memory_mb            integer not null check (memory_mb between 128 and 10240),
  timeout_s            integer not null check (timeout_s between 1 and 900),
  architecture         text not null check (architecture in ('x86_64', 'arm64')),
  ephemeral_storage_mb integer not null check (ephemeral_storage_mb between 512 and 10240),
  environment          jsonb not null default '{}',
  reserved_concurrency integer check (reserved_concurrency >= 0),
  code_sha256          text not null,
  created_at           timestamptz not null default now(),
  primary key (account_id, function_id, version),
  foreign key (account_id, function_id) references functions (account_id, id) on delete cascade,
  foreign key (account_id, code_sha256) references function_code (account_id, sha256)
);
create index function_versions_code_idx on function_versions (account_id, code_sha256);

create trigger function_versions_immutable before update on function_versions
  for each row execute function refuse_change();

-- Platform infrastructure, not tenant data. Liveness is judged on the database clock.
create table executors (
  id           uuid primary key,
  url          text not null,
  capacity     integer not null check (capacity >= 1),
  invoke_token text not null,
  instances    integer not null default 0,
  busy         integer not null default 0,
  started_at   timestamptz not null default now(),
  last_seen_at timestamptz not null default now()
);
create index executors_last_seen_idx on executors (last_seen_at);
