-- Tenants and their API keys. Keys are stored as SHA-256 hashes only; the key itself is shown once.
create table accounts (
  id         uuid primary key default gen_random_uuid(),
  name       text not null check (length(name) between 1 and 200),
  free_tier  boolean not null default true,
  created_at timestamptz not null default now()
);

create table api_keys (
  id         uuid primary key default gen_random_uuid(),
  account_id uuid references accounts (id),
  role       text not null check (role in ('admin', 'account', 'executor')),
  key_hash   bytea not null unique,
  prefix     text not null,
  label      text,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  -- an account key always belongs to an account; an admin key never does
  check (role <> 'account' or account_id is not null),
  check (role <> 'admin' or account_id is null)
);

create index api_keys_account_idx on api_keys (account_id);
