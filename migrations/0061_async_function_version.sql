-- An asynchronous invocation of a version or alias (the Lambda API's Qualifier with Event) runs the
-- version it named when it was queued; null runs the latest, as before.
alter table async_invocations add column function_version integer check (function_version >= 1);
