-- Postgres table change streams (docs/sources.md, "Postgres table changes"): a mapping of type
-- postgres reads a publication through a logical replication slot on the user's database; its
-- publication and slot live in `source` beside the other source settings.
alter table event_source_mappings drop constraint event_source_mappings_source_type_check;
alter table event_source_mappings add constraint event_source_mappings_source_type_check
  check (source_type in ('rabbitmq', 'mqtt', 'nats', 'redis', 'postgres', 's3-webhook'));
