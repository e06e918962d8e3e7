import { sql } from 'kysely';
import { withoutStatementTimeout, type Db } from '../../db/database.js';
import { plainArray, textArray } from '../../db/pg-array.js';

/**
 * One stored row: a run of an invocation's lines that follow one another (seq, seq + 1, ...) and share
 * one timestamp, as the executor numbered and stamped them (most often a single line; START, END and
 * REPORT of a short invocation are one run). See runsOf below and migration 0094.
 */
export interface LogRun {
  accountId: string;
  functionName: string;
  requestId: string;
  /** The first line's seq. */
  seq: number;
  /** Epoch milliseconds. */
  timestamp: number;
  /** The lines, none holding a newline when there are several. */
  messages: string[];
}

/** At most this many lines, and this many characters, are stored as one row. */
export const MAX_RUN_LINES = 64;
export const MAX_RUN_CHARS = 16 * 1024;

/**
 * An invocation's lines as the rows that store them (migration 0094; LINES below splits them
 * again): each run of lines that follow one another (seq s, s + 1, ...), share one timestamp and
 * hold no newline is one row, up to MAX_RUN_LINES lines and MAX_RUN_CHARS characters. A pure function of the lines as sent, so a
 * resent invocation makes the very rows it made before, and meets them in the unique index.
 */
export function runsOf(
  base: Pick<LogRun, 'accountId' | 'functionName' | 'requestId'>,
  lines: readonly { seq: number; timestamp: number; message: string }[],
): LogRun[] {
  const runs: LogRun[] = [];
  let run: LogRun | null = null;
  /** The open run may take more lines (its first held no newline). */
  let open = false;
  let chars = 0;
  for (const l of lines) {
    const alone = l.message.includes('\n');
    if (
      open &&
      !alone &&
      l.timestamp === run!.timestamp &&
      l.seq === run!.seq + run!.messages.length &&
      run!.messages.length < MAX_RUN_LINES &&
      chars + 1 + l.message.length <= MAX_RUN_CHARS
    ) {
      run!.messages.push(l.message);
      chars += 1 + l.message.length;
      continue;
    }
    run = { ...base, seq: l.seq, timestamp: l.timestamp, messages: [l.message] };
    runs.push(run);
    open = !alone;
    chars = l.message.length;
  }
  return runs;
}

/** A line read back: its id orders lines of the same millisecond and anchors the cursor. */
export interface StoredLine {
  /** The row's id and the line's place in it (1 for a row of one line): with the arrival, a follower's keyset. */
  id: string;
  part: number;
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
  part: number;
  ts: Date;
  request_id: string;
  seq: number;
  message: string;
  ingested_at: Date;
  arrival: string;
}

const toLine = (r: LineRecord): StoredLine => ({
  id: r.id,
  part: r.part,
  timestamp: r.ts,
  requestId: r.request_id,
  seq: r.seq,
  message: r.message,
  ingestedAt: r.ingested_at,
  arrival: r.arrival,
});

/** The rows of one function (and request), before they are expanded into lines. */
function narrow(f: LineFilter) {
  return sql`e.account_id = ${f.accountId}::uuid and e.function_name = ${f.functionName}
    ${f.requestId === null ? sql`` : sql`and e.request_id = ${f.requestId}::uuid`}`;
}

/** The text filter applies to each line of a run, after expansion. */
const matching = (f: LineFilter) => (f.filter === null ? sql`` : sql`and strpos(x.line, ${f.filter}) > 0`);

/**
 * Each row's lines, numbered from its seq: a row of one line (run_length null, every row stored before
 * migration 0094) is its message whole. Ordered by (ts, request id, seq, part), the rows' index order
 * followed by the lines within a row, which is the lines' (ts, request id, seq) order.
 */
const LINES = sql`
  select e.id::text as id, x.part::int as part, e.ts, e.request_id::text as request_id, e.seq + x.part::int - 1 as seq,
    x.line as message, e.ingested_at, e.ingested_at::text as arrival
  from log_events e
  cross join lateral unnest(case when e.run_length is null then array[e.message] else string_to_array(e.message, E'\n') end)
    with ordinality as x(line, part)`;

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

    /** Stores the runs not stored yet (one statement: all or none); returns how many lines were new. */
    async insert(runs: LogRun[]): Promise<number> {
      if (runs.length === 0) return 0;
      const { rows } = await sql<{ lines: number }>`
        with stored as (
          insert into log_events (account_id, function_name, request_id, seq, ts, message, run_length)
          select account_id, function_name, request_id, seq, timestamptz 'epoch' + ts_ms * interval '1 millisecond', message,
            nullif(run_length, 1)
          from unnest(
            ${plainArray(runs.map((r) => r.accountId))}::uuid[], ${textArray(runs.map((r) => r.functionName))}::text[],
            ${plainArray(runs.map((r) => r.requestId))}::uuid[], ${plainArray(runs.map((r) => r.seq))}::int[],
            ${plainArray(runs.map((r) => r.timestamp))}::bigint[],
            ${textArray(runs.map((r) => (r.messages.length === 1 ? r.messages[0]! : r.messages.join('\n'))))}::text[],
            ${plainArray(runs.map((r) => r.messages.length))}::int[]
          ) as t(account_id, function_name, request_id, seq, ts_ms, message, run_length)
          on conflict do nothing
          returning coalesce(run_length, 1) as lines)
        select coalesce(sum(lines), 0)::int as lines from stored`.execute(db);
      return rows[0]!.lines;
    },

    /**
     * Lines in [from, to), oldest first (an invocation's in the order written), after the cursor position when given:
     * at most `limit`, and no more once `maxBytes` of text are reached (at least one line). `full` says the page ended
     * at `maxBytes` (there may be more lines after it) rather than at the lines there are.
     */
    async page(
      f: LineFilter & { from: Date; to: Date; after: PagePosition | null; limit: number; maxBytes: number },
    ): Promise<{ lines: StoredLine[]; full: boolean }> {
      // Rows of the cursor's own (ts, request id) may hold lines on both sides of it: the index bound
      // keeps them, and the bound on the expanded seq drops the lines already sent.
      const after =
        f.after === null
          ? sql``
          : sql`and (e.ts, e.request_id) >= (${f.after.timestamp}::timestamptz, ${f.after.requestId}::uuid)
              and (e.ts, e.request_id, e.seq + x.part::int - 1) > (${f.after.timestamp}::timestamptz, ${f.after.requestId}::uuid, ${f.after.seq}::int)`;
      // The running total of text is summed in the database, so that a page of long lines (10,000 of 256 KB is 2.5 GB)
      // never reaches the api's memory: only the lines that begin before maxBytes are sent.
      const { rows } = await sql<LineRecord & { upto: string }>`
        select id, part, ts, request_id, seq, message, ingested_at, arrival, upto from (
          select l.*, sum(octet_length(l.message)) over (order by l.ts, l.request_id, l.seq, l.part rows unbounded preceding) as upto
          from (${LINES}
            where ${narrow(f)} and e.ts >= ${f.from} and e.ts < ${f.to} ${after} ${matching(f)}
            order by e.ts, e.request_id, e.seq, x.part
            limit ${f.limit}) l
        ) w
        where w.upto - octet_length(w.message) < ${f.maxBytes}
        order by ts, request_id, seq, part`.execute(db);
      const last = rows[rows.length - 1];
      return { lines: rows.map(toLine), full: last !== undefined && Number(last.upto) >= f.maxBytes };
    },

    /** Lines that arrived (were stored) at or after `since`, in arrival order: what a follower has not seen yet. */
    async arrivedSince(
      f: LineFilter & { since: Date; notBefore: Date; after: { arrival: string; id: string; part: number } | null; limit: number },
    ): Promise<StoredLine[]> {
      const after =
        f.after === null
          ? sql``
          : sql`and (e.ingested_at, e.id) >= (${f.after.arrival}::timestamptz, ${f.after.id}::bigint)
              and (e.ingested_at, e.id, x.part) > (${f.after.arrival}::timestamptz, ${f.after.id}::bigint, ${f.after.part}::bigint)`;
      const { rows } = await sql<LineRecord>`${LINES}
        where ${narrow(f)} and e.ingested_at >= ${f.since} and e.ts >= ${f.notBefore} ${after} ${matching(f)}
        order by e.ingested_at, e.id, x.part
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

    /** The retention each of these accounts set (an account that set none is absent). */
    async retentionsOf(accountIds: string[]): Promise<Map<string, number>> {
      const { rows } = await sql<{ account_id: string; days: number }>`
        select account_id, days from log_retention where account_id = any(${plainArray(accountIds)}::uuid[])`.execute(db);
      return new Map(rows.map((r) => [r.account_id, r.days]));
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
     * Deletes the lines each account keeps no longer, where day partitions are not yet dropped whole (they go
     * only once every account is past them, `longestDays`): an account at least as long as the longest keeps
     * all of them, the others lose what is older than their own retention (or the default). One statement per
     * such account, each along the account's index entries and in its own transaction: one statement for
     * every account read the lines of the accounts keeping longest too, all of them, every hour, in one
     * transaction. Returns how many lines went.
     *
     * Without the statement timeout: how long this takes grows with the lines to delete (days of a busy
     * account's output), not with any request; only the hourly upkeep runs it, on one connection.
     */
    async deleteExpired(now: Date, defaultDays: number, longestDays: number): Promise<number> {
      const { rows: accounts } = await sql<{ id: string; days: number }>`
        select a.id, coalesce(r.days, ${defaultDays}::int) as days
          from accounts a left join log_retention r on r.account_id = a.id
         where coalesce(r.days, ${defaultDays}::int) < ${longestDays}::int
         order by a.id`.execute(db);
      let lines = 0;
      for (const account of accounts) {
        const cutoff = new Date(now.getTime() - account.days * 86_400_000);
        const { rows } = await withoutStatementTimeout(db, (tx) =>
          sql<{ lines: string }>`
            with deleted as (
              delete from log_events where account_id = ${account.id}::uuid and ts < ${cutoff}
              returning coalesce(run_length, 1) as lines)
            select coalesce(sum(lines), 0)::text as lines from deleted`.execute(tx),
        );
        lines += Number(rows[0]!.lines);
      }
      return lines;
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
