import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { plainArray, textArray, timestamptzArray, uuidArray } from '../../db/pg-array.js';
import { rollupsOf, type HourlyDelta, type MonthlyDelta } from './rollups.js';

/** One event ready to store: everything the server computed (billed ms) plus what the client reported. */
export interface MeteredEvent {
  accountId: string;
  invocationId: string;
  /** The month the invocation id was made in (idMonth), which places the event's row; 0 for ids that are not v7. */
  idMonth: number;
  functionId: string;
  architecture: string;
  memoryMb: number;
  durationMs: string;
  initDurationMs: string | null;
  billedMs: string;
  startedAt: string;
  status: string;
  maxMemoryUsedMb: number | null;
  ephemeralStorageMb: number;
}

/** What a replay is compared with: the stored event's content (startedAt may differ; billed ms is ours). */
export type StoredEvent = Omit<MeteredEvent, 'billedMs' | 'startedAt' | 'idMonth'>;

export interface UsageBucketRow {
  bucket: Date;
  functionId: string | null;
  architecture: string | null;
  requests: string;
  billedMs: string;
  mbMs: string;
  errors: string;
  timeouts: string;
}

export type Granularity = 'hour' | 'day' | 'month';
export type GroupBy = 'function' | 'architecture';

function column<K extends keyof MeteredEvent>(events: readonly MeteredEvent[], key: K): MeteredEvent[K][] {
  return events.map((e) => e[key]);
}

const EVENT_COLUMNS = sql.raw(
  'account_id, invocation_id, id_month, function_id, architecture, memory_mb, duration_ms, init_duration_ms, billed_ms, started_at, status, max_memory_used_mb, ephemeral_storage_mb',
);

/** The events as rows for an INSERT, in key order (two batches that share invocations take their keys in one order). */
function eventRows(events: readonly MeteredEvent[]) {
  const plain = (key: keyof MeteredEvent) => plainArray(column(events, key) as (string | number | null)[]);
  const text = (key: keyof MeteredEvent) => textArray(column(events, key) as (string | null)[]);
  const started = column(events, 'startedAt');
  return sql`
    select * from unnest(
      ${uuidArray(column(events, 'accountId'))}::uuid[], ${uuidArray(column(events, 'invocationId'))}::uuid[], ${plain('idMonth')}::int[],
      ${text('functionId')}::text[], ${text('architecture')}::text[], ${plain('memoryMb')}::int[],
      ${plain('durationMs')}::numeric[], ${plain('initDurationMs')}::numeric[], ${plain('billedMs')}::bigint[],
      ${timestamptzArray(started) ?? textArray(started)}::timestamptz[], ${text('status')}::text[], ${plain('maxMemoryUsedMb')}::int[],
      ${plain('ephemeralStorageMb')}::int[]
    ) as t(${EVENT_COLUMNS})
    order by account_id, invocation_id`;
}

/**
 * Two CTEs (`hourly`, `monthly`) adding pre-summed rows to the rollups' rows of `shard`, in the
 * rows' order (rollupsOf sorts them by key, the one order every writer takes their locks in).
 */
function rollupUpserts(r: { hourly: HourlyDelta[]; monthly: MonthlyDelta[] }, shard: number) {
  const h = <K extends keyof HourlyDelta>(key: K) => r.hourly.map((x) => x[key]);
  const m = <K extends keyof MonthlyDelta>(key: K) => r.monthly.map((x) => x[key]);
  return sql`
    hourly as (
      insert into usage_hourly as h (account_id, hour, function_id, architecture, shard, requests, billed_ms, mb_ms,
                                     ephemeral_mb_ms, init_mb_ms, init_ephemeral_mb_ms, errors, timeouts)
      select account_id, hour, function_id, architecture, ${shard}::smallint, requests, billed_ms, mb_ms,
             ephemeral_mb_ms, init_mb_ms, init_ephemeral_mb_ms, errors, timeouts
      from unnest(${uuidArray(h('accountId'))}::uuid[], ${timestamptzArray(h('hour')) ?? textArray(h('hour'))}::timestamptz[], ${textArray(h('functionId'))}::text[],
                  ${textArray(h('architecture'))}::text[], ${plainArray(h('requests'))}::bigint[], ${plainArray(h('billedMs'))}::bigint[],
                  ${plainArray(h('mbMs'))}::bigint[], ${plainArray(h('ephemeralMbMs'))}::bigint[], ${plainArray(h('initMbMs'))}::bigint[],
                  ${plainArray(h('initEphemeralMbMs'))}::bigint[], ${plainArray(h('errors'))}::bigint[], ${plainArray(h('timeouts'))}::bigint[])
           as r(account_id, hour, function_id, architecture, requests, billed_ms, mb_ms, ephemeral_mb_ms, init_mb_ms,
                init_ephemeral_mb_ms, errors, timeouts)
      on conflict (account_id, hour, function_id, architecture, shard) do update set
        requests = h.requests + excluded.requests,
        billed_ms = h.billed_ms + excluded.billed_ms,
        mb_ms = h.mb_ms + excluded.mb_ms,
        ephemeral_mb_ms = h.ephemeral_mb_ms + excluded.ephemeral_mb_ms,
        init_mb_ms = h.init_mb_ms + excluded.init_mb_ms,
        init_ephemeral_mb_ms = h.init_ephemeral_mb_ms + excluded.init_ephemeral_mb_ms,
        errors = h.errors + excluded.errors,
        timeouts = h.timeouts + excluded.timeouts
    ),
    monthly as (
      insert into usage_monthly as m (account_id, period, architecture, shard, requests, mb_ms, ephemeral_mb_ms, init_mb_ms, init_ephemeral_mb_ms)
      select account_id, period, architecture, ${shard}::smallint, requests, mb_ms, ephemeral_mb_ms, init_mb_ms, init_ephemeral_mb_ms
      from unnest(${uuidArray(m('accountId'))}::uuid[], ${plainArray(m('period'))}::date[], ${textArray(m('architecture'))}::text[],
                  ${plainArray(m('requests'))}::bigint[], ${plainArray(m('mbMs'))}::bigint[], ${plainArray(m('ephemeralMbMs'))}::bigint[],
                  ${plainArray(m('initMbMs'))}::bigint[], ${plainArray(m('initEphemeralMbMs'))}::bigint[])
           as r(account_id, period, architecture, requests, mb_ms, ephemeral_mb_ms, init_mb_ms, init_ephemeral_mb_ms)
      on conflict (account_id, period, architecture, shard) do update set
        requests = m.requests + excluded.requests,
        mb_ms = m.mb_ms + excluded.mb_ms,
        ephemeral_mb_ms = m.ephemeral_mb_ms + excluded.ephemeral_mb_ms,
        init_mb_ms = m.init_mb_ms + excluded.init_mb_ms,
        init_ephemeral_mb_ms = m.init_ephemeral_mb_ms + excluded.init_ephemeral_mb_ms
    )`;
}

/** A unique violation on usage_events (any of its partitions): an invocation of the batch is stored already. */
function isStoredAlready(err: unknown): boolean {
  const e = err as { code?: string; table?: string };
  return e.code === '23505' && typeof e.table === 'string' && e.table.startsWith('usage_events');
}

export function createUsageRepository(db: Db) {
  return {
    /** Creates the partitions of these id months, if missing (idempotent, concurrency-safe). */
    async ensurePartitions(idMonths: number[]): Promise<void> {
      for (const month of idMonths) await sql`select usage_ensure_id_partition(${month}::int)`.execute(db);
    },

    /**
     * Stores the batch's events, exactly once each, and adds them to the hourly and monthly rollups'
     * rows of `shard` (0-7: concurrent batches given different shards never wait on each other's
     * rollup rows), atomically. Returns the invocations that were already stored (replays or
     * conflicts), which is usually none; only the others are counted. docs/usage-path.md.
     *
     * The usual batch has no stored invocation, so it is written by one statement (one round trip,
     * one commit) that inserts the events without ON CONFLICT and upserts the rollups summed in the
     * api. The events' primary key (migration 0092) is the exactly-once guard: if any invocation
     * was stored already, or is being stored by a concurrent batch that commits, the statement
     * fails whole with a unique violation and nothing of it stays. The batch is then written again
     * the careful way: in one transaction, insert with ON CONFLICT DO NOTHING, learn which events
     * were new, and add only those to the rollups. `claiming` tells which way it went.
     */
    async insertBatch(
      events: MeteredEvent[],
      shard: number,
    ): Promise<{ storedBefore: { accountId: string; invocationId: string }[]; claiming: boolean }> {
      try {
        await sql`
          with stored as (insert into usage_events (${EVENT_COLUMNS}) ${eventRows(events)}),
          ${rollupUpserts(rollupsOf(events), shard)}
          select 1`.execute(db);
        return { storedBefore: [], claiming: false };
      } catch (err) {
        if (!isStoredAlready(err)) throw err;
      }
      return db.transaction().execute(async (trx) => {
        const stored = await sql<{ account_id: string; invocation_id: string }>`
          insert into usage_events (${EVENT_COLUMNS}) ${eventRows(events)}
          on conflict do nothing
          returning account_id, invocation_id`.execute(trx);
        const isNew = new Set(stored.rows.map((r) => `${r.account_id}/${r.invocation_id}`));
        const keyOf = (e: MeteredEvent) => `${e.accountId}/${e.invocationId}`;
        const fresh = events.filter((e) => isNew.has(keyOf(e)));
        if (fresh.length > 0) await sql`with ${rollupUpserts(rollupsOf(fresh), shard)} select 1`.execute(trx);
        const storedBefore = events
          .filter((e) => !isNew.has(keyOf(e)))
          .map((e) => ({ accountId: e.accountId, invocationId: e.invocationId }));
        return { storedBefore, claiming: true };
      });
    },

    /** The stored content of already-stored invocations, to tell a replay from a conflict. */
    async findStoredEvents(keys: { accountId: string; invocationId: string }[]): Promise<StoredEvent[]> {
      if (keys.length === 0) return [];
      const result = await sql<{
        account_id: string;
        invocation_id: string;
        function_id: string;
        architecture: string;
        memory_mb: number;
        duration_ms: string;
        init_duration_ms: string | null;
        status: string;
        max_memory_used_mb: number | null;
        ephemeral_storage_mb: number;
      }>`
        select e.account_id, e.invocation_id, e.function_id, e.architecture, e.memory_mb, e.duration_ms,
               e.init_duration_ms, e.status, e.max_memory_used_mb, e.ephemeral_storage_mb
        from unnest(${keys.map((k) => k.accountId)}::uuid[], ${keys.map((k) => k.invocationId)}::uuid[]) as k(account_id, invocation_id)
        join usage_events e on e.account_id = k.account_id and e.invocation_id = k.invocation_id
                           and e.id_month = usage_id_month(k.invocation_id)
      `.execute(db);
      return result.rows.map((r) => ({
        accountId: r.account_id,
        invocationId: r.invocation_id,
        functionId: r.function_id,
        architecture: r.architecture,
        memoryMb: r.memory_mb,
        durationMs: r.duration_ms,
        initDurationMs: r.init_duration_ms,
        status: r.status,
        maxMemoryUsedMb: r.max_memory_used_mb,
        ephemeralStorageMb: r.ephemeral_storage_mb,
      }));
    },

    async queryBuckets(q: {
      accountId: string;
      from: Date;
      to: Date;
      granularity: Granularity;
      groupBy: GroupBy | null;
      functionId: string | null;
    }): Promise<UsageBucketRow[]> {
      const fn = q.groupBy === 'function' ? sql`function_id` : sql`null::text`;
      const arch = q.groupBy === 'architecture' ? sql`architecture` : sql`null::text`;
      const result = await sql<{
        bucket: Date;
        function_id: string | null;
        architecture: string | null;
        requests: string;
        billed_ms: string;
        mb_ms: string;
        errors: string;
        timeouts: string;
      }>`
        select date_trunc(${q.granularity}, hour, 'UTC') as bucket, ${fn} as function_id, ${arch} as architecture,
               sum(requests)::text as requests, sum(billed_ms)::text as billed_ms, sum(mb_ms)::text as mb_ms,
               sum(errors)::text as errors, sum(timeouts)::text as timeouts
        from usage_hourly
        where account_id = ${q.accountId} and hour >= ${q.from} and hour < ${q.to}
          ${q.functionId === null ? sql`` : sql`and function_id = ${q.functionId}`}
        group by 1, 2, 3
        order by 1, 2, 3
      `.execute(db);
      return result.rows.map((r) => ({
        bucket: r.bucket,
        functionId: r.function_id,
        architecture: r.architecture,
        requests: r.requests,
        billedMs: r.billed_ms,
        mbMs: r.mb_ms,
        errors: r.errors,
        timeouts: r.timeouts,
      }));
    },
  };
}

export type UsageRepository = ReturnType<typeof createUsageRepository>;
