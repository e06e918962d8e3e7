-- Lambda's weighted aliases (RoutingConfig.AdditionalVersionWeights): an alias sends a share of its
-- invocations to one more published version, as canary and linear deployments do (CodeDeploy, SAM's
-- DeploymentPreference). The share is a probability, not money: double precision. The alias's own
-- version must then be a published one (Lambda refuses $LATEST beside another version), and the two differ.
alter table function_aliases
  add column additional_version integer,
  add column additional_weight double precision,
  add constraint function_aliases_routing_check check (
    (additional_version is null) = (additional_weight is null)
    and (additional_weight is null or (additional_weight >= 0 and additional_weight <= 1))
    and (additional_version is null or (version is not null and additional_version <> version))
  ),
  add constraint function_aliases_additional_version_fkey foreign key (account_id, function_id, additional_version)
    references function_published_versions (account_id, function_id, version) on delete cascade;
