-- An account's own concurrency limit, set by the operator (Lambda's quota raise, or a lower limit for
-- a small tenant): null means the deployment's default, TALLY_ACCOUNT_CONCURRENCY. The same bounds as
-- that setting. What reservations must leave under it is checked by the api under the account's
-- reservation lock (functions.service.ts, checkReservation and checkAccountLimit), not here: the rule
-- spans the account's functions' latest versions and the api's TALLY_UNRESERVED_CONCURRENCY_MIN.
alter table accounts
  add column concurrency_limit integer
    constraint accounts_concurrency_limit_check check (concurrency_limit between 1 and 1000000);
