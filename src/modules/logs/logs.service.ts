import { DEFAULT_LOG_MAX_AGE_DAYS } from '../../config.js';
import type { InvocationLogs, LogIngestResult } from '../../contracts/logs.js';
import { isUuid, type UsageEvent } from '../../contracts/usage.js';
import type { Clock } from '../../lib/clock.js';
import { errors } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { storableText } from '../../lib/storable-input.js';
import type { Principal } from '../accounts/auth.js';
import type { ExecutorsService } from '../executors/executors.service.js';
import { runsOf, type LogRun, type LogsRepository, type PagePosition, type StoredLine } from './logs.repository.js';

/** Days an account's lines are kept unless it set its own (CloudWatch keeps them forever; 30 days here). */
export const DEFAULT_LOG_RETENTION_DAYS = 30;
/** Day partitions made ahead of need, so ingest rarely makes one. */
export const PARTITIONS_AHEAD_DAYS = 3;
export const DEFAULT_PAGE = 100;
/**
 * Text a page holds at most (the line that crosses it included): `limit` counts lines, and 10,000 lines of 256 KB would
 * be 2.5 GB in the api's memory and one JSON string (CloudWatch's GetLogEvents answers at most 1 MB).
 */
export const MAX_PAGE_BYTES = 8 * 1024 * 1024;
/** How far ahead of the api's clock a line may be stamped (the executor's clock, a little fast). */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

const DAY_MS = 86_400_000;
const utcDay = (at: number | Date): string => new Date(at).toISOString().slice(0, 10);
/** Postgres: "no partition of relation found for row" (a partition dropped by a replica since we looked). */
const NO_PARTITION = '23514';

export interface LogEvent {
  timestamp: string;
  requestId: string;
  message: string;
}

export interface LogQuery {
  accountId: string;
  functionName: string;
  from?: string;
  to?: string;
  requestId?: string;
  filter?: string;
  limit?: number;
  cursor?: string;
}

const toEvent = (l: StoredLine): LogEvent => ({ timestamp: l.timestamp.toISOString(), requestId: l.requestId, message: l.message });

/** The cursor is the last line's (timestamp, id), opaque to clients. */
function encodeCursor(l: StoredLine): string {
  return Buffer.from(JSON.stringify({ t: l.timestamp.getTime(), r: l.requestId, s: l.seq })).toString('base64url');
}

const PG_INT_MAX = 2 ** 31 - 1;

/**
 * A `from` or `to` the schema took as RFC 3339 that JavaScript cannot read: a leap second (23:59:60Z)
 * is an Invalid Date, which no query can use (until 2026-12 a failed query, a 500).
 */
export function instant(field: 'from' | 'to', text: string): Date {
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) throw errors.validation(`${field}: not a time this api can read (a leap second?)`);
  return at;
}

function decodeCursor(cursor: string): PagePosition {
  try {
    const { t, r, s } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { t: unknown; r: unknown; s: unknown };
    // A Date holds 8.64e15 ms either side of 1970: past that it is Invalid Date, which no query can use.
    if (
      typeof t === 'number' &&
      Number.isSafeInteger(t) &&
      Math.abs(t) <= 8.64e15 &&
      typeof r === 'string' &&
      isUuid(r) &&
      Number.isInteger(s) &&
      (s as number) >= 0 &&
      // The query compares it as a Postgres integer: past that, "integer out of range" (a 500).
      (s as number) <= PG_INT_MAX
    )
      return { timestamp: new Date(t), requestId: r, seq: s as number };
  } catch {
    // fall through
  }
  throw errors.validation('cursor: not a cursor this api returned');
}

/**
 * Function logs: ingest (exactly once per line, whatever the executor resends), queries by time,
 * request id and text with a cursor, live following, and retention per account by dropping whole
 * day partitions (and deleting the lines of accounts that keep them for less).
 */
export function createLogsService(deps: {
  repo: LogsRepository;
  dispatch: Pick<ExecutorsService, 'refusedDispatches'>;
  clock: Clock;
  log: Logger;
  /** Lines older than this many days are refused at ingest, whatever the account's retention (TALLY_LOG_MAX_AGE_DAYS). */
  maxAgeDays?: number;
}) {
  const { repo } = deps;
  const maxAgeDays = deps.maxAgeDays ?? DEFAULT_LOG_MAX_AGE_DAYS;
  /** Day partitions known to exist; forgotten when an insert finds one gone. */
  const known = new Set<string>();

  async function ensureDays(days: Iterable<string>): Promise<void> {
    for (const day of days) {
      if (known.has(day)) continue;
      await repo.ensurePartition(day);
      known.add(day);
    }
  }

  /** Which invocations this key may write: its own account's (a scoped key), or those dispatched to it (a platform key). */
  async function refused(principal: Principal, invocations: InvocationLogs[]): Promise<Set<number>> {
    const out = new Set<number>();
    if (principal.accountId !== null) {
      invocations.forEach((inv, i) => {
        if (inv.accountId.toLowerCase() !== principal.accountId) out.add(i);
      });
      return out;
    }
    if (principal.role !== 'executor' || principal.keyId === null) return out;
    // The usage event's dispatch check, on the claims the token signs (durations play no part here).
    const claims: UsageEvent[] = invocations.map((inv) => ({
      invocationId: inv.requestId,
      accountId: inv.accountId,
      functionId: inv.functionName,
      architecture: inv.architecture,
      memoryMb: inv.memoryMb,
      ephemeralStorageMb: inv.ephemeralStorageMb,
      durationMs: 0,
      startedAt: new Date(0).toISOString(),
      status: 'success',
      ...(inv.dispatchToken !== undefined ? { dispatchToken: inv.dispatchToken } : {}),
    }));
    for (const r of await deps.dispatch.refusedDispatches(principal.keyId, claims)) out.add(r.index);
    return out;
  }

  /**
   * The times an account's lines may carry at ingest, from the latest of its retention and the maximum
   * age to a few minutes ahead: each distinct day makes a partition every account shares, so what one
   * key can post must not reach years (docs/logs.md, "Which times are taken").
   */
  async function timeWindow(invocations: InvocationLogs[]): Promise<(accountId: string) => { notBefore: number; notAfter: number }> {
    const now = deps.clock.now().getTime();
    const oldest = now - maxAgeDays * DAY_MS;
    const notAfter = now + MAX_CLOCK_SKEW_MS;
    // A retention is a day at least: an account's own is read only when it has a line older than that.
    const older = new Set<string>();
    for (const inv of invocations) if (inv.lines.some((l) => l.timestamp < now - DAY_MS)) older.add(inv.accountId.toLowerCase());
    const retention = older.size > 0 ? await repo.retentionsOf([...older]) : new Map<string, number>();
    return (accountId) => {
      const days = retention.get(accountId.toLowerCase()) ?? DEFAULT_LOG_RETENTION_DAYS;
      return { notBefore: Math.max(oldest, now - days * DAY_MS), notAfter };
    };
  }

  return {
    async ingest(principal: Principal, invocations: InvocationLogs[]): Promise<LogIngestResult> {
      const bad = await refused(principal, invocations);
      if (bad.size > 0) deps.log.warn({ refused: bad.size }, 'log lines refused: another account, or not dispatched to this executor');
      const window = await timeWindow(invocations.filter((_, i) => !bad.has(i)));
      const runs: LogRun[] = [];
      let lines = 0;
      let outOfRange = 0;
      invocations.forEach((inv, i) => {
        if (bad.has(i)) return;
        const { notBefore, notAfter } = window(inv.accountId);
        const inTime = (l: { timestamp: number }) => l.timestamp >= notBefore && l.timestamp <= notAfter;
        let kept = inv.lines.every(inTime) ? inv.lines : inv.lines.filter(inTime);
        outOfRange += inv.lines.length - kept.length;
        // Postgres keeps no NUL in text: U+FFFD stands for it, as when the executor reads the lines (a batch
        // refused whole with a 500 would be resent for ever). Our executor's lines never hold one.
        if (kept.some((l) => l.message.includes('\u0000'))) kept = kept.map((l) => ({ ...l, message: storableText(l.message) }));
        lines += kept.length;
        const base = { accountId: inv.accountId.toLowerCase(), functionName: inv.functionName, requestId: inv.requestId.toLowerCase() };
        for (const run of runsOf(base, kept)) runs.push(run);
      });
      const days = () => new Set(runs.map((r) => utcDay(r.timestamp)));
      let accepted: number;
      try {
        await ensureDays(days());
        accepted = await repo.insert(runs);
      } catch (err) {
        if ((err as { code?: string }).code !== NO_PARTITION) throw err;
        known.clear();
        await ensureDays(days());
        accepted = await repo.insert(runs);
      }
      if (outOfRange > 0)
        deps.log.warn(
          { outOfRange },
          "log lines refused: stamped before the account's retention or the maximum age, or ahead of the clock",
        );
      return { accepted, duplicates: lines - accepted, refused: bad.size, outOfRange };
    },

    /** One page of lines, oldest first, within the account's retention. */
    async query(q: LogQuery): Promise<{ events: LogEvent[]; nextCursor: string | null }> {
      const now = deps.clock.now();
      const retention = (await repo.retentionOf(q.accountId)) ?? DEFAULT_LOG_RETENTION_DAYS;
      const kept = new Date(now.getTime() - retention * DAY_MS);
      const from = q.from ? instant('from', q.from) : kept;
      const to = q.to ? instant('to', q.to) : new Date(now.getTime() + 60_000);
      if (from.getTime() >= to.getTime()) throw errors.validation('from must be before to');
      const limit = q.limit ?? DEFAULT_PAGE;
      const { lines, full } = await repo.page({
        accountId: q.accountId,
        functionName: q.functionName,
        requestId: q.requestId?.toLowerCase() ?? null,
        filter: q.filter ?? null,
        from: from < kept ? kept : from,
        to,
        after: q.cursor ? decodeCursor(q.cursor) : null,
        limit: limit + 1,
        maxBytes: MAX_PAGE_BYTES,
      });
      // A page that ended at MAX_PAGE_BYTES goes on from its last line (the next may be empty, as CloudWatch's may).
      const more = lines.length > limit || full;
      const page = lines.length > limit ? lines.slice(0, limit) : lines;
      return { events: page.map(toEvent), nextCursor: more ? encodeCursor(page[page.length - 1]!) : null };
    },

    /**
     * Follows a function's log live: calls `emit` with lines in the order they arrive, from `from`
     * (default: now), until `signal` aborts. Polls every `pollMs`; see docs/logs.md for why polling.
     */
    async follow(q: LogQuery, emit: (e: LogEvent) => void | Promise<void>, signal: AbortSignal, pollMs: number): Promise<void> {
      // One listener per wait, removed when the wait ends: a follower may wait for hours.
      const sleep = (ms: number) =>
        new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal.removeEventListener('abort', done);
            resolve();
          };
          const timer = setTimeout(done, ms);
          signal.addEventListener('abort', done, { once: true });
        });
      const narrow = {
        accountId: q.accountId,
        functionName: q.functionName,
        requestId: q.requestId?.toLowerCase() ?? null,
        filter: q.filter ?? null,
      };
      const retention = (await repo.retentionOf(q.accountId)) ?? DEFAULT_LOG_RETENTION_DAYS;
      const kept = new Date(deps.clock.now().getTime() - retention * DAY_MS);
      const notBefore = q.from && new Date(q.from) > kept ? new Date(q.from) : kept;
      /** Lines sent (row id and place in it), with when they arrived: a line is sent once even when two looks both find it. */
      const seen = new Map<string, number>();
      // A line is stamped when its insert began and visible once committed: every look goes back a
      // few seconds before the newest arrival seen, and skips what was sent.
      let since = new Date((await repo.now()).getTime() - 2_000);
      /** Sends a line once; waits while the client reads slowly (emit's promise), so nothing piles up here. */
      const send = async (l: StoredLine) => {
        const key = `${l.id}.${l.part}`;
        if (seen.has(key)) return;
        // Only a line that arrived since the looks began can come again: the replay of older ones is not kept.
        if (l.ingestedAt.getTime() >= since.getTime() - 5_000) seen.set(key, l.ingestedAt.getTime());
        await emit(toEvent(l));
      };
      if (q.from) {
        // What was stored before following began, in time order, page by page.
        let after: PagePosition | null = null;
        const to = new Date(deps.clock.now().getTime() + 60_000);
        while (!signal.aborted) {
          const { lines: page, full } = await repo.page({ ...narrow, from: notBefore, to, after, limit: 1000, maxBytes: MAX_PAGE_BYTES });
          for (const l of page) {
            if (signal.aborted) return;
            await send(l);
          }
          if (page.length < 1000 && !full) break;
          const last = page[page.length - 1]!;
          after = { timestamp: last.timestamp, requestId: last.requestId, seq: last.seq };
        }
      }
      while (!signal.aborted) {
        let newest = since.getTime();
        let after: { arrival: string; id: string; part: number } | null = null;
        for (;;) {
          const lines = await repo.arrivedSince({ ...narrow, since, notBefore, after, limit: 1000 });
          for (const l of lines) {
            if (signal.aborted) return;
            newest = Math.max(newest, l.ingestedAt.getTime());
            await send(l);
          }
          if (lines.length < 1000 || signal.aborted) break;
          const last = lines[lines.length - 1]!;
          after = { arrival: last.arrival, id: last.id, part: last.part };
        }
        const lookBack = newest - 5_000;
        for (const [id, at] of seen) if (at < lookBack - 5_000) seen.delete(id);
        since = new Date(Math.max(since.getTime(), lookBack));
        await sleep(pollMs);
      }
    },

    async retention(accountId: string): Promise<{ accountId: string; days: number; isDefault: boolean }> {
      const days = await repo.retentionOf(accountId);
      return { accountId, days: days ?? DEFAULT_LOG_RETENTION_DAYS, isDefault: days === null };
    },

    async setRetention(accountId: string, days: number): Promise<{ accountId: string; days: number; isDefault: boolean }> {
      await repo.setRetention(accountId, days);
      return { accountId, days, isDefault: false };
    },

    /**
     * The scheduled upkeep: partitions for yesterday to a few days ahead; whole days older than the
     * longest retention dropped; lines of accounts keeping less deleted.
     */
    async maintain(): Promise<{ created: string[]; dropped: string[]; deleted: number }> {
      const now = deps.clock.now();
      const created: string[] = [];
      for (let d = -1; d <= PARTITIONS_AHEAD_DAYS; d++) {
        const day = utcDay(now.getTime() + d * DAY_MS);
        await repo.ensurePartition(day);
        known.add(day);
        created.push(day);
      }
      const longest = Math.max(DEFAULT_LOG_RETENTION_DAYS, (await repo.longestRetention()) ?? 0);
      // A day partition goes once all of it is older than the longest retention: days before the cutoff's day.
      const dropped = await repo.dropPartitionsBefore(utcDay(now.getTime() - longest * DAY_MS));
      for (const name of dropped) known.delete(`${name.slice(11, 15)}-${name.slice(15, 17)}-${name.slice(17, 19)}`);
      const shortest = await repo.shortestRetention(DEFAULT_LOG_RETENTION_DAYS);
      const deleted = shortest < longest ? await repo.deleteExpired(now, DEFAULT_LOG_RETENTION_DAYS, longest) : 0;
      if (dropped.length > 0 || deleted > 0) deps.log.info({ dropped, deleted }, 'function logs past their retention removed');
      return { created, dropped, deleted };
    },
  };
}

export type LogsService = ReturnType<typeof createLogsService>;
