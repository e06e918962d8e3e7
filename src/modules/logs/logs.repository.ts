import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

/** One stored line, as the executor numbered and stamped it. */
export interface LogRow {
  accountId: string;
  functionName: string;
  requestId: string;
  seq: number;
  /** Epoch milliseconds. */
  timestamp: number;
  message: string;
}

/** A line read back: its id orders lines of the same millisecond and anchors the cursor. */
export interface StoredLine {
  id: string;
  timestamp: Date;
  requestId: string;
  seq: number;
  message: string;
  ingestedAt: Date;
  /** The arrival stamp to the microsecond, as text: a follower's keyset. */
  arrival: string;
}

/** Where a page ends: the last line's (timestamp, request id, seq), unique within an account. */
export interface PagePosition {
  timestamp: Date;
  requestId: string;
  seq: number;
}

export interface LineFilter {
  accountId: string;
  functionName: string;
  requestId: string | null;
  /** Case-sensitive substring of the message, as CloudWatch's plain terms. */
  filter: string | null;
}

interface LineRecord {
  id: string;
  ts: Date;
  request_id: string;
  seq: number;
  message: string;
  ingested_at: Date;
  arrival: string;
}

const toLine = (r: LineRecord): StoredLine => ({
  id: r.id,
  timestamp: r.ts,
  requestId: r.request_id,
  seq: r.seq,
  message: r.message,
  ingestedAt: r.ingested_at,
  arrival: r.arrival,
});

function narrow(f: LineFilter) {
  return sql`account_id = ${f.accountId}::uuid and function_name = ${f.functionName}
    ${f.requestId === null ? sql`` : sql`and request_id = ${f.requestId}::uuid`}
    ${f.filter === null ? sql`` : sql`and strpos(message, ${f.filter}) > 0`}`;
}

export function createLogsRepository(db: Db) {
  return {
    /** Creates the day partition (UTC) named by `day` (YYYY-MM-DD), if missing; safe from many replicas at once. */
    async ensurePartition(day: string): Promise<void> {
      await sql`select log_ensure_partition(${day}::date)`.execute(db);
    },

    /** The day partitions that exist, as YYYY-MM-DD, oldest first. */
    async partitionDays(): Promise<string[]> {
      const { rows } = await sql<{ name: string }>`select log_partitions() as name`.execute(db);
      return rows.map((r) => r.name.slice('log_events_'.length)).map((d) => `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`);
    },

    /** Drops every day partition before `day` (YYYY-MM-DD); returns the partitions dropped. */
    async dropPartitionsBefore(day: string): Promise<string[]> {
      const { rows } = await sql<{ name: string }>`select log_drop_partitions_before(${day}::date) as name`.execute(db);
      return rows.map((r) => r.name);
    },

    /** Stores the lines not stored yet (one statement: all or none); returns how many were new. */
    async insert(rows: LogRow[]): Promise<number> {
      if (rows.length === 0) return 0;
      const result = await sql`
        insert into log_events (account_id, function_name, request_id, seq, ts, message)
        select account_id, function_name, request_id, seq, timestamptz 'epoch' + ts_ms * interval '1 millisecond', message
        from unnest(
          ${rows.map((r) => r.accountId)}::uuid[], ${rows.map((r) => r.functionName)}::text[],
          ${rows.map((r) => r.requestId)}::uuid[], ${rows.map((r) => r.seq)}::int[],
          ${rows.map((r) => r.timestamp)}::bigint[], ${rows.map((r) => r.message)}::text[]
        ) as t(account_id, function_name, request_id, seq, ts_ms, message)
        on conflict do nothing`.execute(db);
      return Number(result.numAffectedRows ?? 0n);
    },

    /** Lines in [from, to), oldest first (an invocation's in the order written), after the cursor position when given. */
    async page(f: LineFilter & { from: Date; to: Date; after: PagePosition | null; limit: number }): Promise<StoredLine[]> {
      const { rows } = await sql<LineRecord>`
        select id::text as id, ts, request_id::text as request_id, seq, message, ingested_at, ingested_at::text as arrival from log_events
        where ${narrow(f)} and ts >= ${f.from} and ts < ${f.to}
          ${f.after === null ? sql`` : sql`and (ts, request_id, seq) > (${f.after.timestamp}::timestamptz, ${f.after.requestId}::uuid, ${f.after.seq}::int)`}
        order by ts, request_id, seq
        limit ${f.limit}`.execute(db);
      return rows.map(toLine);
    },

    /** Lines that arrived (were stored) at or after `since`, in arrival order: what a follower has not seen yet. */
    async arrivedSince(
      f: LineFilter & { since: Date; notBefore: Date; after: { arrival: string; id: string } | null; limit: number },
    ): Promise<StoredLine[]> {
      const { rows } = await sql<LineRecord>`
        select id::text as id, ts, request_id::text as request_id, seq, message, ingested_at, ingested_at::text as arrival from log_events
        where ${narrow(f)} and ingested_at >= ${f.since} and ts >= ${f.notBefore}
          ${f.after === null ? sql`` : sql`and (ingested_at, id) > (${f.after.arrival}::timestamptz, ${f.after.id}::bigint)`}
        order by ingested_at, id
        limit ${f.limit}`.execute(db);
      return rows.map(toLine);
    },

    /** The database's clock: followers compare it with `ingested_at`, which the database stamps. */
    async now(): Promise<Date> {
      const { rows } = await sql<{ now: Date }>`select clock_timestamp() as now`.execute(db);
      return rows[0]!.now;
    },

    async retentionOf(accountId: string): Promise<number | null> {
      const { rows } = await sql<{ days: number }>`select days from log_retention where account_id = ${accountId}::uuid`.execute(db);
      return rows[0]?.days ?? null;
    },

    async setRetention(accountId: string, days: number): Promise<void> {
      await sql`insert into log_retention (account_id, days) values (${accountId}::uuid, ${days})
        on conflict (account_id) do update set days = excluded.days, updated_at = now()`.execute(db);
    },

    /** The longest retention any account has set (null when none set one). */
    async longestRetention(): Promise<number | null> {
      const { rows } = await sql<{ days: number | null }>`select max(days) as days from log_retention`.execute(db);
      return rows[0]?.days ?? null;
    },

    /**
     * Deletes the lines each account keeps no longer (its own retention, or the default), among those
     * older than `olderThan` (the shortest retention in force): partitions drop whole days only once
     * every account is past them.
     */
    async deleteExpired(now: Date, defaultDays: number, olderThan: Date): Promise<number> {
      const result = await sql`
        delete from log_events e
        where e.ts < ${olderThan}
          and e.ts < ${now}::timestamptz - make_interval(days => coalesce(
            (select r.days from log_retention r where r.account_id = e.account_id), ${defaultDays}))`.execute(db);
      return Number(result.numAffectedRows ?? 0n);
    },

    /** The shortest retention in force (the default counts while some account has none set). */
    async shortestRetention(defaultDays: number): Promise<number> {
      const { rows } = await sql<{ days: number | null }>`
        select least(
          (select min(days) from log_retention),
          case when exists (select 1 from accounts a where not exists (select 1 from log_retention r where r.account_id = a.id))
               then ${defaultDays}::int end) as days`.execute(db);
      return rows[0]?.days ?? defaultDays;
    },
  };
}

export type LogsRepository = ReturnType<typeof createLogsRepository>;
