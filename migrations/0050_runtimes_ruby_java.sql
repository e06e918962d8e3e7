-- Ruby and Java join the managed runtimes (AWS's identifiers such as ruby3.2 or java17 are stored
-- under these names).
alter table function_versions drop constraint function_versions_runtime_check;
alter table function_versions add constraint function_versions_runtime_check
  check (runtime in ('nodejs', 'python', 'ruby', 'java', 'provided'));
