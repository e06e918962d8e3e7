-- Lambda's tags on a function (CreateFunction's Tags, TagResource, UntagResource, ListTags, GetFunction):
-- kept and shown back, as infrastructure tools (Terraform, SAM, CDK) set and read them. Tally grants and
-- bills nothing by them. At most 50 per function, as Lambda allows, held by the constraint: tagging is
-- one statement that merges into what is there, so two requests at once cannot both pass a check.
create function jsonb_key_count(j jsonb) returns integer language sql immutable strict parallel safe
  as $$ select count(*)::integer from jsonb_object_keys(j) $$;

alter table function_aws_settings
  add column tags jsonb not null default '{}'
    constraint function_aws_settings_tags_check check (jsonb_typeof(tags) = 'object' and jsonb_key_count(tags) <= 50);
