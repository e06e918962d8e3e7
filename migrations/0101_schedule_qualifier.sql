-- A schedule may target a function's alias or published version, as an EventBridge rule targets an
-- alias ARN (`...:function:f:live`) so a deploy tool can move what runs. Null is $LATEST, as before.
-- The name is resolved at every tick (docs/events.md, "Schedules"); whether it exists is checked by
-- the service when the schedule is written, since an alias can be deleted afterwards (the ticks then
-- fail, visibly), which a foreign key could not express.
alter table schedules
  add column qualifier text check (qualifier ~ '^[A-Za-z0-9_-]{1,128}$');

-- What an event's source named (a schedule's alias or version), kept beside the version it resolved to
-- when queued (function_version, what runs and is billed): the function's context.invokedFunctionArn
-- ends with it, as Lambda's does when a rule targets an alias. Null: the version number, or nothing.
alter table async_invocations
  add column qualifier text check (qualifier ~ '^[A-Za-z0-9_-]{1,128}$');
