-- A budget alert was recorded once per budget, month and threshold (0005). A budget raised after its 100 % alert
-- (to keep a hard-capped account running, say) then never warned again that month: the new amount's thresholds
-- were the same thresholds, already recorded, and the cap could stop invocations with no alert before it. The key
-- now holds the amount and the basis the threshold was measured against, so a budget changed in a month is measured
-- afresh: each of its thresholds alerts once for the new amount, as AWS Budgets' notifications go back to OK when
-- the budget moves away from the spend and alarm again when the spend reaches it. Concurrent evaluations still
-- record one alert per key (the evaluator inserts with ON CONFLICT DO NOTHING on these columns).
do $$
declare
  c text;
begin
  select conname into c from pg_constraint where conrelid = 'budget_alerts'::regclass and contype = 'u';
  execute format('alter table budget_alerts drop constraint %I', c);
end $$;

alter table budget_alerts add constraint budget_alerts_once unique (account_id, budget_id, period, threshold, basis, amount);
