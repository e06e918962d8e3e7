-- The dispatch-token key (platform_secrets) stored sealed with TALLY_SECRET_KEY, as access keys and
-- broker URLs are (src/lib/secret-box.ts): a copy of the database (a dump, a replica, a leaked
-- backup) no longer holds the key that makes usage billable.
--
-- SQL cannot seal (the key is not in the database), so the api seals a secret stored unsealed at its
-- first start on this schema, in place, keeping the key itself: tokens signed before the upgrade stay
-- valid (executors.service.ts). The column is renamed so that a replica of an earlier release fails at
-- once on it ("column secret does not exist") rather than reading a null key.
alter table platform_secrets rename column secret to unsealed_secret;
alter table platform_secrets
  alter column unsealed_secret drop not null,
  add column sealed text,
  -- One form at a time: unsealed (until the api seals it) or sealed, never both, never neither.
  add constraint platform_secrets_one_form check (num_nonnulls(unsealed_secret, sealed) = 1);

-- Sealing in place (and re-sealing under a new TALLY_SECRET_KEY) updates these two columns; the name
-- and the creation time stay as written.
grant update (unsealed_secret, sealed) on platform_secrets to tally_app;
