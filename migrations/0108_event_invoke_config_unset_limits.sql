-- An event-invoke configuration's retry count and age limit may be unset (null): the defaults (2 retries, 21,600 s)
-- apply, as before, but the Lambda API answers only what was set, as Lambda does. It answered the defaults as if
-- they had been set, and Terraform, which compares the answer with the configuration, planned a change on every
-- run for a limit left out. Every reader already takes the default for null (enqueue's coalesce, the service's ??).
-- Rows written before keep their values, set or defaulted alike: nothing tells them apart.
alter table event_invoke_configs
  alter column maximum_retry_attempts drop not null,
  alter column maximum_event_age_s drop not null;
