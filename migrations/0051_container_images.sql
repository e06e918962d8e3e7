-- Functions packaged as container images (packageType Image). An image is kept as its OCI blobs
-- (manifest, config, layers), each stored once per account by digest: images of one account that
-- share a base layer store it once. A blob is split in chunks, so no single value holds a whole
-- layer and an executor's download streams them one by one.
create table image_blobs (
  account_id uuid not null references accounts (id),
  digest     text not null check (digest ~ '^sha256:[0-9a-f]{64}$'),
  bytes      bigint not null check (bytes >= 0),
  created_at timestamptz not null default now(),
  primary key (account_id, digest)
);
create index image_blobs_digest_idx on image_blobs (digest);

create table image_blob_chunks (
  account_id uuid not null,
  digest     text not null,
  seq        integer not null check (seq >= 0),
  data       bytea not null,
  primary key (account_id, digest, seq),
  foreign key (account_id, digest) references image_blobs (account_id, digest) on delete cascade
);

-- An image is its manifest (a blob itself, by whose digest the image is known) and the blobs it names.
create table images (
  account_id     uuid not null,
  digest         text not null,
  config_digest  text not null,
  layers         integer not null check (layers >= 0),
  bytes          bigint not null check (bytes >= 0),
  unpacked_bytes bigint not null check (unpacked_bytes >= 0),
  created_at     timestamptz not null default now(),
  primary key (account_id, digest),
  foreign key (account_id, digest) references image_blobs (account_id, digest)
);

create table image_blob_refs (
  account_id   uuid not null,
  image_digest text not null,
  blob_digest  text not null,
  primary key (account_id, image_digest, blob_digest),
  foreign key (account_id, image_digest) references images (account_id, digest) on delete cascade,
  foreign key (account_id, blob_digest) references image_blobs (account_id, digest)
);
create index image_blob_refs_blob_idx on image_blob_refs (account_id, blob_digest);

-- A version runs either a zip on a runtime or an image (whose entry point is its runtime).
alter table function_versions
  add column package_type text not null default 'Zip' check (package_type in ('Zip', 'Image')),
  add column image_digest text,
  add column image_config jsonb,
  alter column runtime drop not null,
  alter column handler drop not null,
  alter column code_sha256 drop not null,
  add foreign key (account_id, image_digest) references images (account_id, digest),
  add constraint function_versions_package_check check (
    (package_type = 'Zip' and code_sha256 is not null and runtime is not null and handler is not null and image_digest is null)
    or (package_type = 'Image' and image_digest is not null and code_sha256 is null and runtime is null and handler is null));
create index function_versions_image_idx on function_versions (account_id, image_digest);

-- Blobs and images are written once and deleted when nothing uses them; never changed.
revoke update on image_blobs, image_blob_chunks, images, image_blob_refs from tally_app;
