-- Lambda's resource-based policy of a function (AddPermission, GetPolicy, RemovePermission): its statements by Sid,
-- kept and shown back, as Terraform's aws_lambda_permission and aws_lambda_function_url (AuthType NONE, which adds
-- a statement) write and read them. Tally grants nothing by them: a function URL's AuthType decides who may call it.
-- A statement is added in one statement only where its Sid is not a key yet, so two requests with the same Sid cannot
-- both add it; the size is bounded as Lambda bounds a policy (20 KB); the row goes with its function.
alter table function_aws_settings
  add column policy jsonb not null default '{}'
    constraint function_aws_settings_policy_check check (jsonb_typeof(policy) = 'object' and octet_length(policy::text) <= 20480);
