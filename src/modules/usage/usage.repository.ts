import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

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

function column<K extends keyof MeteredEvent>(events: MeteredEvent[], key: K): MeteredEvent[K][] {
  return events.map((e) => e[key]);
}

export function createUsageRepository(db: Db) {
  return {
    /** Creates the partitions of these id months, if missing (idempotent, concurrency-safe). */
    async ensurePartitions(idMonths: number[]): Promise<void> {
      for (const month of idMonths) await sql`select usage_ensure_id_partition(${month}::int)`.execute(db);
    },

    /**
     * One statement, so one atomic commit: store each event whose (account, invocation id) is new
     * (the primary key is the exactly-once guard, migration 0092), and fold the stored ones,
     * pre-aggregated per (account, hour, function, architecture) and per (account, month,
     * architecture), in key order, into the hourly and monthly rollups' rows of `shard` (0-7:
     * concurrent batches given different shards never wait on each other's rollup rows;
     * docs/usage-path.md). Returns the invocation ids that were already stored (replays or
     * conflicts), which is usually none.
     */
    async insertBatch(events: MeteredEvent[], shard: number): Promise<{ accountId: string; invocationId: string }[]> {
      const result = await sql<{ account_id: string; invocation_id: string }>`
        with input as (
          select * from unnest(
            ${column(events, 'accountId')}::uuid[], ${column(events, 'invocationId')}::uuid[], ${column(events, 'idMonth')}::int[],
            ${column(events, 'functionId')}::text[], ${column(events, 'architecture')}::text[],
            ${column(events, 'memoryMb')}::int[], ${column(events, 'durationMs')}::numeric[],
            ${column(events, 'initDurationMs')}::numeric[], ${column(events, 'billedMs')}::bigint[],
            ${column(events, 'startedAt')}::timestamptz[], ${column(events, 'status')}::text[],
            ${column(events, 'maxMemoryUsedMb')}::int[], ${column(events, 'ephemeralStorageMb')}::int[]
          ) as t(account_id, invocation_id, id_month, function_id, architecture, memory_mb, duration_ms,
                 init_duration_ms, billed_ms, started_at, status, max_memory_used_mb, ephemeral_storage_mb)
        ),
        stored as (
          insert into usage_events (account_id, invocation_id, id_month, function_id, architecture, memory_mb, duration_ms,
                                    init_duration_ms, billed_ms, started_at, status, max_memory_used_mb, ephemeral_storage_mb)
          select account_id, invocation_id, id_month, function_id, architecture, memory_mb, duration_ms,
                 init_duration_ms, billed_ms, started_at, status, max_memory_used_mb, ephemeral_storage_mb
          from input order by account_id, invocation_id
          on conflict do nothing
          returning account_id, invocation_id, function_id, architecture, started_at, billed_ms, duration_ms, memory_mb,
                    ephemeral_storage_mb, status
        ),
        rolled as (
          insert into usage_hourly as h (account_id, hour, function_id, architecture, shard, requests, billed_ms, mb_ms,
                                         ephemeral_mb_ms, init_mb_ms, init_ephemeral_mb_ms, errors, timeouts)
          select account_id, date_trunc('hour', started_at, 'UTC'), function_id, architecture, ${shard}::smallint,
                 count(*), sum(billed_ms), sum(billed_ms * memory_mb), sum(billed_ms * (ephemeral_storage_mb - 512)),
                 sum((billed_ms - ceil(least(duration_ms, 900000))) * memory_mb),
                 sum((billed_ms - ceil(least(duration_ms, 900000))) * (ephemeral_storage_mb - 512)),
                 count(*) filter (where status = 'error'), count(*) filter (where status = 'timeout')
          from stored
          group by 1, 2, 3, 4
          order by 1, 2, 3, 4
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
          select account_id, date_trunc('month', started_at, 'UTC')::date, architecture, ${shard}::smallint,
                 count(*), sum(billed_ms * memory_mb), sum(billed_ms * (ephemeral_storage_mb - 512)),
                 sum((billed_ms - ceil(least(duration_ms, 900000))) * memory_mb),
                 sum((billed_ms - ceil(least(duration_ms, 900000))) * (ephemeral_storage_mb - 512))
          from stored
          group by 1, 2, 3
          order by 1, 2, 3
          on conflict (account_id, period, architecture, shard) do update set
            requests = m.requests + excluded.requests,
            mb_ms = m.mb_ms + excluded.mb_ms,
            ephemeral_mb_ms = m.ephemeral_mb_ms + excluded.ephemeral_mb_ms,
            init_mb_ms = m.init_mb_ms + excluded.init_mb_ms,
            init_ephemeral_mb_ms = m.init_ephemeral_mb_ms + excluded.init_ephemeral_mb_ms
        )
        select i.account_id, i.invocation_id from input i
        where not exists (select 1 from stored s where s.account_id = i.account_id and s.invocation_id = i.invocation_id)
      `.execute(db);
      return result.rows.map((r) => ({ accountId: r.account_id, invocationId: r.invocation_id }));
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
