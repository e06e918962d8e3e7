-- Whether an executor contains its functions in the kernel sandbox ('on') or runs them unisolated
-- ('off', TALLY_SANDBOX=off, a developer switch): operators see it in GET /v1/executors and /readyz.
alter table executors add column sandbox text not null default 'on' check (sandbox in ('on', 'off'));
