import { sql, type Transaction } from 'kysely';
import { isUuid } from '../../contracts/usage.js';
import type { Db } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import { storableText } from '../../lib/storable-input.js';

type Conn = Db | Transaction<Database>;
// biome-ignore lint/suspicious/noExplicitAny: rows of the hand-written SQL below, each mapped to a domain type where it is read
type Row = Record<string, any>;

export type AsyncStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'expired';
export type AsyncSource = 'api' | 'schedule' | 'destination' | 'event-source';
export type Destination = { type: 'function'; function: string } | { type: 'webhook'; url: string };

export interface EventInvokeConfig {
  functionId: string;
  /** The alias or version number it belongs to; null: `$LATEST`, the unqualified function. */
  qualifier: string | null;
  /** Null: never set, the default applies (DEFAULT_MAX_RETRIES, DEFAULT_MAX_EVENT_AGE_S). */
  maximumRetryAttempts: number | null;
  maximumEventAgeS: number | null;
  onSuccess: Destination | null;
  onFailure: Destination | null;
  /** The webhook signing secret as stored: sealed (SIGNING_SECRET_CONTEXT.invokeConfig, to its row), or plain if an earlier release wrote it. */
  webhookSecret: string | null;
  updatedAt: Date;
}

export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_MAX_EVENT_AGE_S = 21_600;

/** The alias of a configuration being written no longer exists (deleted between the service's check and the write). */
export class ConfigAliasMissing extends Error {}

export interface NewEvent {
  accountId: string;
  id: string;
  functionId: string;
  functionName: string;
  payload: Buffer;
  source: AsyncSource;
  /** What queued it, once (a schedule tick, the outcome a destination record reports); null: no such key. */
  sourceKey: string | null;
  chainDepth: number;
  /** Where the event's age counts from. */
  createdAt: Date;
  dueAt: Date;
  /** The version to run (a qualified invocation); absent or null: the latest when it runs. */
  functionVersion?: number | null;
  /** The alias or version the source named (a schedule's target), for the function's ARN; absent: the version's number. */
  qualifier?: string | null;
  /**
   * Why the event could not be queued to run (a schedule naming an alias deleted since): it is written
   * already failed with this as its error, never run, so the failure shows where a run's would.
   */
  failure?: string | null;
}

/** A claimed event: this worker runs it under `claimId` (the attempt's invocation id) while its lease lasts. */
export interface ClaimedEvent {
  accountId: string;
  id: string;
  functionId: string;
  functionName: string;
  payload: Buffer;
  source: AsyncSource;
  chainDepth: number;
  functionVersion: number | null;
  qualifier: string | null;
  attempts: number;
  dispatches: number;
  throttles: number;
  maxRetries: number;
  createdAt: Date;
  expiresAt: Date;
  claimId: string;
  /** Past its age limit: settled as expired, not run. */
  expired: boolean;
  lastError: string | null;
  lastResponse: Buffer | null;
  lastVersion: number | null;
}

/** How one claimed event ends this round: settled for good, or queued again for later. */
export interface Settlement {
  accountId: string;
  id: string;
  claimId: string;
  status: 'queued' | 'succeeded' | 'failed' | 'expired';
  attempts: number;
  throttled: boolean;
  /** The claim started no run (a throttle, a hard cap): its dispatch is taken back, so `dispatches` counts runs started. */
  undispatched: boolean;
  dueAt: Date | null;
  finishedAt: Date | null;
  lastError: string | null;
  lastResponse: Buffer | null;
  lastVersion: number | null;
  destination: string | null;
}

export interface AsyncInvocation {
  accountId: string;
  id: string;
  functionName: string;
  status: AsyncStatus;
  source: AsyncSource;
  attempts: number;
  dispatches: number;
  throttles: number;
  createdAt: Date;
  expiresAt: Date;
  dueAt: Date;
  finishedAt: Date | null;
  lastError: string | null;
  destination: string | null;
}

export interface ClaimedDelivery {
  accountId: string;
  requestId: string;
  functionId: string;
  /** The configuration whose destination the record is (the event's qualifier; null: `$LATEST`). */
  qualifier: string | null;
  url: string;
  body: string;
  /**
   * The signing secret as stored (sealed, or plain if an earlier release wrote it): the delivery's own
   * (an event source's batch, SIGNING_SECRET_CONTEXT.delivery), else the function's current one
   * (SIGNING_SECRET_CONTEXT.invokeConfig), that of the configuration of its `qualifier`; both null once that
   * configuration is gone.
   */
  deliverySecret: string | null;
  configSecret: string | null;
  attempt: number;
}

/** How long a webhook destination is retried before it is marked failed (as budget alerts). */
const RETRY_WINDOW = '3 days';

const toConfig = (r: Row): EventInvokeConfig => ({
  functionId: r.function_id,
  qualifier: r.qualifier,
  maximumRetryAttempts: r.maximum_retry_attempts,
  maximumEventAgeS: r.maximum_event_age_s,
  onSuccess: r.on_success,
  onFailure: r.on_failure,
  webhookSecret: r.webhook_secret,
  updatedAt: r.updated_at,
});

/** The key of a qualifier's configuration row: null (the unqualified function) is `$LATEST`. */
const keyOf = (qualifier: string | null) => qualifier ?? '$LATEST';

const toInvocation = (r: Row): AsyncInvocation => ({
  accountId: r.account_id,
  id: r.id,
  functionName: r.function_name,
  status: r.status,
  source: r.source,
  attempts: r.attempts,
  dispatches: r.dispatches,
  throttles: r.throttles,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  dueAt: r.due_at,
  finishedAt: r.finished_at,
  lastError: r.last_error,
  destination: r.destination,
});

export function createAsyncRepository(db: Db) {
  return {
    transaction: <T>(fn: (tx: Transaction<Database>) => Promise<T>): Promise<T> => db.transaction().execute(fn),

    /** The configuration of one qualifier of the function (null: `$LATEST`), if it was set. */
    async config(accountId: string, functionId: string, qualifier: string | null): Promise<EventInvokeConfig | null> {
      const { rows } = await sql<Row>`
        select * from event_invoke_configs
         where account_id = ${accountId} and function_id = ${functionId} and qualifier_key = ${keyOf(qualifier)}`.execute(db);
      return rows[0] ? toConfig(rows[0]) : null;
    },

    /** Every configuration of the function: `$LATEST`'s first, then versions by number, then aliases by name. */
    async configs(accountId: string, functionId: string): Promise<EventInvokeConfig[]> {
      const { rows } = await sql<Row>`
        select * from event_invoke_configs where account_id = ${accountId} and function_id = ${functionId}
         order by qualifier is not null, alias is not null, case when alias is null then qualifier::int end, alias`.execute(db);
      return rows.map(toConfig);
    },

    /**
     * Replaces one qualifier's configuration. A secret, once stored, is kept: a new one is stored only where there
     * was none, so of writes racing to make the first, one wins. Answers whether the secret passed is the one stored.
     * Throws ConfigAliasMissing when its alias is gone (the foreign key): nothing is written.
     */
    async putConfig(accountId: string, c: Omit<EventInvokeConfig, 'updatedAt'>, now: Date): Promise<boolean> {
      const { rows } = await sql<{ mine: boolean }>`
        insert into event_invoke_configs (account_id, function_id, qualifier, maximum_retry_attempts, maximum_event_age_s, on_success, on_failure,
                                          webhook_secret, updated_at)
        values (${accountId}, ${c.functionId}, ${c.qualifier}, ${c.maximumRetryAttempts}, ${c.maximumEventAgeS},
                ${c.onSuccess ? JSON.stringify(c.onSuccess) : null}::jsonb, ${c.onFailure ? JSON.stringify(c.onFailure) : null}::jsonb,
                ${c.webhookSecret}, ${now})
        on conflict (account_id, function_id, qualifier_key) do update set
          maximum_retry_attempts = excluded.maximum_retry_attempts, maximum_event_age_s = excluded.maximum_event_age_s,
          on_success = excluded.on_success, on_failure = excluded.on_failure,
          webhook_secret = coalesce(event_invoke_configs.webhook_secret, excluded.webhook_secret), updated_at = excluded.updated_at
        returning webhook_secret is not distinct from ${c.webhookSecret} as mine`
        .execute(db)
        .catch((err: { code?: string; constraint?: string }) => {
          if (err.code === '23503' && err.constraint === 'event_invoke_configs_alias_fkey') throw new ConfigAliasMissing();
          throw err;
        });
      return rows[0]?.mine ?? false;
    },

    async deleteConfig(accountId: string, functionId: string, qualifier: string | null): Promise<boolean> {
      const r = await sql`
        delete from event_invoke_configs
         where account_id = ${accountId} and function_id = ${functionId} and qualifier_key = ${keyOf(qualifier)}`.execute(db);
      return Number(r.numAffectedRows ?? 0) > 0;
    },

    /**
     * Queues events in one statement, with the retries and age limit set now by the configuration of the
     * qualifier each was queued for (none: `$LATEST`'s; no fallback from an alias or version to it). An event whose source key was queued before is not queued again: answers, per
     * event, whether it was queued.
     */
    async enqueue(conn: Conn | null, events: NewEvent[]): Promise<boolean[]> {
      if (events.length === 0) return [];
      const col = <K extends keyof NewEvent>(k: K) => events.map((e) => e[k]);
      // An event with a failure is written settled (failed at its due time, no payload kept), as a run's failure is.
      const { rows } = await sql<{ id: string }>`
        insert into async_invocations (account_id, id, function_id, function_name, payload, status, source, source_key, chain_depth,
                                       max_retries, created_at, expires_at, due_at, function_version, qualifier, last_error, finished_at)
        select v.account_id, v.id, v.function_id, v.function_name, case when v.failure is null then v.payload end,
               case when v.failure is null then 'queued' else 'failed' end, v.source, v.source_key, v.chain_depth,
               coalesce(c.maximum_retry_attempts, ${DEFAULT_MAX_RETRIES}), v.created_at,
               v.created_at + make_interval(secs => coalesce(c.maximum_event_age_s, ${DEFAULT_MAX_EVENT_AGE_S})), v.due_at,
               v.function_version, v.qualifier, v.failure, case when v.failure is not null then v.due_at end
          from unnest(${col('accountId')}::uuid[], ${col('id')}::uuid[], ${col('functionId')}::uuid[], ${col('functionName')}::text[],
                      ${col('payload')}::bytea[], ${col('source')}::text[], ${col('sourceKey')}::text[], ${col('chainDepth')}::int[],
                      ${col('createdAt')}::timestamptz[], ${col('dueAt')}::timestamptz[],
                      ${events.map((e) => e.functionVersion ?? null)}::int[], ${events.map((e) => e.qualifier ?? null)}::text[],
                      ${events.map((e) => (e.failure ? storableText(e.failure) : null))}::text[])
               as v(account_id, id, function_id, function_name, payload, source, source_key, chain_depth, created_at, due_at,
                    function_version, qualifier, failure)
          left join event_invoke_configs c
                 on c.account_id = v.account_id and c.function_id = v.function_id and c.qualifier_key = coalesce(v.qualifier, '$LATEST')
        on conflict (account_id, source, source_key) where source_key is not null do nothing
        returning id`.execute(conn ?? db);
      const queued = new Set(rows.map((r) => r.id));
      return events.map((e) => queued.has(e.id));
    },

    /**
     * Claims up to `limit` due events for this worker (SKIP LOCKED: replicas share the queue). A
     * queued event is due at due_at; a running one when its lease (due_at) ran out, its replica
     * gone. The claim gives each a new invocation id (the attempt's, recorded in async_attempts) and
     * a lease: the worker renews it while the run lasts.
     *
     * Fair between accounts: the claim takes up to `limit` accounts that have events due (one index
     * probe each, in account order after `after`), and from each its oldest due events, an equal share
     * of `limit`. One account's backlog of a hundred thousand events no longer holds up another's one
     * event until the backlog is gone. `next` is where the following claim starts: after the last
     * account taken when `limit` accounts were, else from the first (docs/events.md, "Fairness").
     */
    async claim(now: Date, leaseMs: number, limit: number, after: string | null): Promise<{ events: ClaimedEvent[]; next: string | null }> {
      const due = sql`a.status in ('queued', 'running') and a.due_at <= ${now}`;
      const { rows } = await sql<Row & { expired: boolean; accounts: number; last_account: string | null }>`
        with recursive heads(account_id, n) as (
          (select a.account_id, 1 from async_invocations a
            where ${due} ${after ? sql`and a.account_id > ${after}` : sql``}
            order by a.account_id limit 1)
          union all
          select (select a.account_id from async_invocations a
                   where ${due} and a.account_id > h.account_id
                   order by a.account_id limit 1), h.n + 1
            from heads h
           where h.account_id is not null and h.n < ${limit}
        ),
        picked as (select account_id from heads where account_id is not null),
        share as (select ceil(${limit}::numeric / greatest(count(*), 1))::int as per, count(*)::int as accounts,
                         max(account_id::text) as last_account from picked),
        due as (
          -- each account's first events before any account's next ones, so that the limit cuts the largest shares
          select r.account_id, r.id from (
            select e.account_id, e.id, e.due_at, row_number() over (partition by e.account_id order by e.due_at) as rank
              from picked p
             cross join lateral (
               select a.account_id, a.id, a.due_at from async_invocations a
                where a.account_id = p.account_id and ${due}
                order by a.due_at
                limit (select per from share)
                for update skip locked) e
          ) r
          order by r.rank, r.due_at
          limit ${limit}
        ),
        claimed as (
          update async_invocations a
             set status = 'running', claim_id = uuid_v7(), due_at = ${now}::timestamptz + make_interval(secs => ${leaseMs / 1000}),
                 dispatches = a.dispatches + (case when a.expires_at <= ${now} then 0 else 1 end)
            from due
           where a.account_id = due.account_id and a.id = due.id
          returning a.*
        ),
        attempts as (
          insert into async_attempts (account_id, invocation_id, request_id, claimed_at)
          select account_id, claim_id, id, ${now} from claimed where expires_at > ${now}
        )
        select c.*, c.expires_at <= ${now} as expired, s.accounts, s.last_account from claimed c cross join share s`.execute(db);
      const next = rows[0] && rows[0].accounts >= limit ? rows[0].last_account : null;
      const events = rows.map((r) => ({
        accountId: r.account_id,
        id: r.id,
        functionId: r.function_id,
        functionName: r.function_name,
        payload: r.payload,
        source: r.source,
        chainDepth: r.chain_depth,
        functionVersion: r.function_version,
        qualifier: r.qualifier,
        attempts: r.attempts,
        dispatches: r.dispatches,
        throttles: r.throttles,
        maxRetries: r.max_retries,
        createdAt: r.created_at,
        expiresAt: r.expires_at,
        claimId: r.claim_id,
        expired: r.expired,
        lastError: r.last_error,
        lastResponse: r.last_response,
        lastVersion: r.last_version,
      }));
      return { events, next };
    },

    /** Renews the leases of events this worker is running. */
    async extendLeases(items: { accountId: string; id: string; claimId: string }[], until: Date): Promise<void> {
      if (items.length === 0) return;
      await sql`
        update async_invocations a set due_at = ${until}
          from unnest(${items.map((i) => i.accountId)}::uuid[], ${items.map((i) => i.id)}::uuid[], ${items.map((i) => i.claimId)}::uuid[])
               as v(account_id, id, claim_id)
         where a.account_id = v.account_id and a.id = v.id and a.claim_id = v.claim_id and a.status = 'running'`.execute(db);
    },

    /**
     * Writes how claimed events ended, in one statement; only a claim still held counts (a worker
     * whose lease ran out and was claimed again by another settles nothing). Answers the ids settled.
     */
    async settle(tx: Transaction<Database>, s: Settlement[]): Promise<Set<string>> {
      if (s.length === 0) return new Set();
      const col = <K extends keyof Settlement>(k: K) => s.map((x) => x[k]);
      const { rows } = await sql<{ id: string }>`
        update async_invocations a set
               status = v.status, attempts = v.attempts, throttles = a.throttles + (case when v.throttled then 1 else 0 end),
               dispatches = a.dispatches - (case when v.undispatched then 1 else 0 end),
               due_at = coalesce(v.due_at, a.due_at), claim_id = null, finished_at = v.finished_at,
               last_error = coalesce(v.last_error, a.last_error),
               last_response = coalesce(v.last_response, a.last_response), last_version = coalesce(v.last_version, a.last_version),
               destination = v.destination,
               payload = case when v.finished_at is null then a.payload end
          from unnest(${col('accountId')}::uuid[], ${col('id')}::uuid[], ${col('claimId')}::uuid[], ${col('status')}::text[],
                      ${col('attempts')}::int[], ${col('throttled')}::bool[], ${col('undispatched')}::bool[], ${col('dueAt')}::timestamptz[], ${col('finishedAt')}::timestamptz[],
                      ${col('lastError').map((e) => (e === null ? null : storableText(e)))}::text[], ${col('lastResponse')}::bytea[], ${col('lastVersion')}::int[], ${col('destination')}::text[])
               as v(account_id, id, claim_id, status, attempts, throttled, undispatched, due_at, finished_at, last_error, last_response, last_version, destination)
         where a.account_id = v.account_id and a.id = v.id and a.claim_id = v.claim_id and a.status = 'running'
        returning a.id`.execute(tx);
      return new Set(rows.map((r) => r.id));
    },

    /**
     * Holds the due events of capped accounts (or functions) until `until` without claiming them: a claim
     * would write an attempt row each time (async_attempts is append-only), one every recheck for as long
     * as the cap holds. The cap's message is the event's last error, so a describe says why it waits.
     * An event whose age runs out before `until` is left due: the claim expires it.
     */
    async hold(caps: { accountId: string; functionId: string | null; message: string }[], now: Date, until: Date): Promise<number> {
      if (caps.length === 0) return 0;
      const r = await sql`
        update async_invocations a set due_at = ${until}, last_error = c.message
          from unnest(${caps.map((c) => c.accountId)}::uuid[], ${caps.map((c) => c.functionId)}::text[],
                      ${caps.map((c) => storableText(c.message))}::text[]) as c(account_id, fn, message)
         where a.account_id = c.account_id and a.status = 'queued' and a.due_at <= ${now} and a.expires_at > ${until}
           and (c.fn is null or c.fn = a.function_name or c.fn = a.function_id::text)`.execute(db);
      return Number(r.numAffectedRows ?? 0);
    },

    async find(accountId: string, id: string): Promise<AsyncInvocation | null> {
      if (!isUuid(id)) return null;
      const { rows } = await sql<Row>`
        select * from async_invocations where account_id = ${accountId} and id = ${id}`.execute(db);
      return rows[0] ? toInvocation(rows[0]) : null;
    },

    /** The event an attempt's invocation id belongs to. */
    async requestOfAttempt(accountId: string, invocationId: string): Promise<string | null> {
      if (!isUuid(invocationId)) return null;
      const { rows } = await sql<{ request_id: string }>`
        select request_id from async_attempts where account_id = ${accountId} and invocation_id = ${invocationId}`.execute(db);
      return rows[0]?.request_id ?? null;
    },

    async attemptsOf(accountId: string, id: string): Promise<{ invocationId: string; claimedAt: Date }[]> {
      const { rows } = await sql<{ invocation_id: string; claimed_at: Date }>`
        select invocation_id, claimed_at from async_attempts where account_id = ${accountId} and request_id = ${id}
         order by claimed_at, invocation_id`.execute(db);
      return rows.map((r) => ({ invocationId: r.invocation_id, claimedAt: r.claimed_at }));
    },

    /** A function's events, newest first (ids are time-ordered), by status; `before` pages. */
    async list(q: { accountId: string; functionName: string; status: AsyncStatus | null; limit: number; before: string | null }) {
      const { rows } = await sql<Row>`
        select account_id, id, function_name, status, source, attempts, dispatches, throttles, created_at, expires_at, due_at,
               finished_at, last_error, destination
          from async_invocations
         where account_id = ${q.accountId} and function_name = ${q.functionName}
           ${q.status ? sql`and status = ${q.status}` : sql``}
           ${q.before ? sql`and id < ${q.before}` : sql``}
         order by id desc
         limit ${q.limit}`.execute(db);
      return rows.map(toInvocation);
    },

    /**
     * Claims the record of an event source's failed batch (`id`: made from its mapping and content): true
     * the first time, false for a batch recorded before (delivered again after a lost acknowledgement).
     * The claim outlives the record, as long as its mapping exists (migrations/0098_record_retention.sql).
     */
    async claimSourceFailure(tx: Transaction<Database>, c: { accountId: string; id: string; mappingId: string }, now: Date) {
      const { rows } = await sql`
        insert into event_source_failure_claims (account_id, id, mapping_id, recorded_at)
        values (${c.accountId}, ${c.id}, ${c.mappingId}, ${now})
        on conflict do nothing
        returning id`.execute(tx);
      return rows.length === 1;
    },

    async insertDelivery(
      tx: Transaction<Database>,
      d: {
        accountId: string;
        requestId: string;
        functionId: string;
        /** The configuration whose destination it is (absent or null: `$LATEST`'s). */
        qualifier?: string | null;
        url: string;
        body: string;
        webhookSecretSealed?: string;
      },
      now: Date,
    ): Promise<void> {
      await sql`
        insert into async_destination_deliveries (account_id, request_id, function_id, qualifier, url, body, status, next_attempt_at,
                                                  give_up_at, webhook_secret)
        values (${d.accountId}, ${d.requestId}, ${d.functionId}, ${d.qualifier ?? null}, ${d.url}, ${d.body}, 'pending', ${now},
                ${now}::timestamptz + ${RETRY_WINDOW}::interval, ${d.webhookSecretSealed ?? null})
        on conflict (account_id, request_id) do nothing`.execute(tx);
    },

    /**
     * Claims due webhook deliveries; the claim counts the attempt and moves next_attempt_at out by
     * the backoff (30 s doubling, at most 6 h): the lease, and the next try if this one fails. The
     * signing secret is that of the configuration the record came from (the function's and qualifier's).
     */
    async claimDeliveries(now: Date, limit: number): Promise<ClaimedDelivery[]> {
      const { rows } = await sql<Row>`
        with due as (
          select account_id, request_id from async_destination_deliveries
           where status = 'pending' and next_attempt_at <= ${now}
           order by next_attempt_at limit ${limit}
           for update skip locked
        )
        update async_destination_deliveries d
           set attempts = d.attempts + 1,
               next_attempt_at = ${now}::timestamptz + least(interval '6 hours', interval '30 seconds' * power(2, d.attempts))
          from due
         where d.account_id = due.account_id and d.request_id = due.request_id
        returning d.account_id, d.request_id, d.function_id, d.qualifier, d.url, d.body, d.attempts, d.webhook_secret,
                  (select c.webhook_secret from event_invoke_configs c
                    where d.webhook_secret is null and c.account_id = d.account_id and c.function_id = d.function_id
                      and c.qualifier_key = coalesce(d.qualifier, '$LATEST')) as config_secret`.execute(db);
      return rows.map((r) => ({
        accountId: r.account_id,
        requestId: r.request_id,
        functionId: r.function_id,
        qualifier: r.qualifier,
        url: r.url,
        body: r.body,
        deliverySecret: r.webhook_secret,
        configSecret: r.config_secret,
        attempt: r.attempts,
      }));
    },

    /**
     * An attempt's outcome. A delivery cancelled while its attempt was under way (its configuration deleted, migration
     * 0106) stays cancelled when the attempt failed: made pending again, its next attempt would be signed with the
     * secret of a configuration set since under the same key.
     */
    async recordDelivery(accountId: string, requestId: string, delivered: boolean, at: Date, error: string | null): Promise<string> {
      const { rows } = await sql<{ status: string }>`
        update async_destination_deliveries
           set status = case when ${delivered} then 'delivered' when next_attempt_at > give_up_at then 'failed' else 'pending' end,
               delivered_at = case when ${delivered} then ${at}::timestamptz end,
               last_error = ${error}
         where account_id = ${accountId} and request_id = ${requestId} and (status <> 'cancelled' or ${delivered})
        returning status`.execute(db);
      return rows[0]?.status ?? 'cancelled';
    },

    async cancelDelivery(accountId: string, requestId: string, reason: string): Promise<void> {
      await sql`
        update async_destination_deliveries set status = 'cancelled', last_error = ${reason}
         where account_id = ${accountId} and request_id = ${requestId}`.execute(db);
    },

    async deliveryOf(accountId: string, requestId: string) {
      const { rows } = await sql<Row>`
        select status, attempts, delivered_at, last_error from async_destination_deliveries
         where account_id = ${accountId} and request_id = ${requestId}`.execute(db);
      const r = rows[0];
      return r
        ? {
            status: r.status as string,
            attempts: r.attempts as number,
            deliveredAt: r.delivered_at as Date | null,
            lastError: r.last_error as string | null,
          }
        : null;
    },
  };
}

export type AsyncRepository = ReturnType<typeof createAsyncRepository>;
