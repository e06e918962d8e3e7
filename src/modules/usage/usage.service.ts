import { isUuid, type IngestResult, type UsageEvent, type UsageRefusal } from '../../contracts/usage.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, errors } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import { Money, formatDecimal, mbMsToGbSeconds } from '../../lib/money.js';
import { addMonths, periodOf, type Period } from '../../lib/period.js';
import { uuid7Millis } from '../../lib/uuid7.js';
import type { AccountsRepository } from '../accounts/accounts.repository.js';
import type { Principal } from '../accounts/auth.js';
import type { ExecutorsService } from '../executors/executors.service.js';
import { billedMs } from './billing-units.js';
import { offsetOutOfRange, separatorReadable, toMicroseconds } from './rollups.js';
import type { Granularity, GroupBy, MeteredEvent, StoredEvent, UsageRepository } from './usage.repository.js';

/** How far in the future a startedAt may lie (executor clocks drift a little; more is a bug). */
const MAX_CLOCK_SKEW_MS = 24 * 3600_000;
/** The window of v7 id times that place a row by their month (migration 0092); others go to month 0. */
const ID_TIME_FROM = Date.UTC(2000, 0, 1);
const ID_TIME_TO = Date.UTC(2100, 0, 1);
/** Rows per rollup key (migration 0090's check allows 0-7). */
const ROLLUP_SHARDS = 8;
const MAX_SPAN_MS: Record<Granularity, number> = { hour: 93 * 86400_000, day: 3 * 366 * 86400_000, month: 20 * 366 * 86400_000 };

const sameNumber = (stored: string | null, sent: number | undefined) =>
  stored === null || sent === undefined ? stored === null && sent === undefined : new Money(stored).eq(String(sent));

/** A replay is the same invocation with the same content; only startedAt may differ. */
function sameContent(stored: StoredEvent, e: UsageEvent): boolean {
  return (
    stored.functionId === e.functionId &&
    stored.architecture === e.architecture &&
    stored.memoryMb === e.memoryMb &&
    stored.status === e.status &&
    stored.maxMemoryUsedMb === (e.maxMemoryUsedMb ?? null) &&
    stored.ephemeralStorageMb === (e.ephemeralStorageMb ?? 512) &&
    sameNumber(stored.durationMs, e.durationMs) &&
    sameNumber(stored.initDurationMs, e.initDurationMs)
  );
}

/**
 * Where an event's row lives (migration 0092): year * 12 + month - 1 (UTC) of the moment its
 * version 7 invocation id was made, or 0 for an id of another version or with a time outside
 * 2000-2099. Postgres computes the same (usage_id_month) and checks the two agree.
 */
export function idMonthOf(invocationId: string): number {
  const ms = uuid7Millis(invocationId);
  if (ms === null || ms < ID_TIME_FROM || ms >= ID_TIME_TO) return 0;
  const d = new Date(ms);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

function toMetered(e: UsageEvent): MeteredEvent {
  const invocationId = e.invocationId.toLowerCase();
  return {
    accountId: e.accountId.toLowerCase(),
    invocationId,
    idMonth: idMonthOf(invocationId),
    functionId: e.functionId,
    architecture: e.architecture,
    memoryMb: e.memoryMb,
    durationMs: String(e.durationMs),
    initDurationMs: e.initDurationMs === undefined ? null : String(e.initDurationMs),
    billedMs: billedMs(e.durationMs, e.initDurationMs),
    startedAt: toMicroseconds(e.startedAt),
    status: e.status,
    maxMemoryUsedMb: e.maxMemoryUsedMb ?? null,
    ephemeralStorageMb: e.ephemeralStorageMb ?? 512,
  };
}

/**
 * The UTC month of an ISO-8601 instant. A UTC timestamp ('...Z') already starts with it; one with
 * an offset may fall in the next or previous month, so only that one is parsed (formatting a Date
 * per event was a visible share of the ingest CPU).
 */
function monthKey(iso: string): string {
  if (iso.endsWith('Z') || iso.endsWith('z')) return iso.slice(0, 7);
  const d = new Date(iso);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function createUsageService(deps: {
  repo: UsageRepository;
  accounts: Pick<AccountsRepository, 'existingAccountIds'>;
  clock: Clock;
  metrics: Metrics;
  log: Logger;
  /** Told which accounts got new usage after each batch commits (budgets evaluate, debounced). Must not throw. */
  onIngested?: (accountIds: string[]) => void;
  /** Checks the dispatch tokens of a platform executor key's events. */
  dispatch: Pick<ExecutorsService, 'refusedDispatches'>;
  /** How far back usage is still billed: the price catalog's first month, and the operator's look-back in months. */
  billing: { catalogStart(): Promise<Period | null>; lookbackMonths: number };
}) {
  const knownMonths = new Set<number>();
  /** The rollup shard of the next batch: in turn, so the batches one api has in flight write different rows. */
  let nextShard = 0;

  /** The oldest month still open to usage, and why: usage before it could never be billed. */
  async function oldestOpenMonth(): Promise<{ month: Period; reason: string }> {
    const lookback = addMonths(periodOf(deps.clock.now()), -deps.billing.lookbackMonths);
    const start = await deps.billing.catalogStart();
    return start !== null && start > lookback
      ? { month: start, reason: 'the price catalog begins then' }
      : { month: lookback, reason: `the billing look-back is ${deps.billing.lookbackMonths} months` };
  }

  /**
   * Refuses the whole batch (nothing written) if any event is not acceptable, listing every refused
   * event by index in the details so that a sender can resend the others at once. Authorization
   * refusals (a scoped key's foreign account, a missing or forged dispatch token) answer 403; the
   * others 400. The message names the first refused event of the kind answered.
   */
  async function checkBatch(principal: Principal, events: UsageEvent[]): Promise<void> {
    const latest = deps.clock.now().getTime() + MAX_CLOCK_SKEW_MS;
    const oldest = await oldestOpenMonth();
    const scope: UsageRefusal[] = [];
    const implausible: UsageRefusal[] = [];
    events.forEach((e, index) => {
      if (principal.accountId !== null && e.accountId.toLowerCase() !== principal.accountId) {
        scope.push({
          index,
          field: 'accountId',
          reason: 'FORBIDDEN',
          message: `events[${index}].accountId: this executor key is scoped to account ${principal.accountId}`,
        });
      }
      const started = Date.parse(e.startedAt);
      if (!Number.isFinite(started) || started > latest || started < Date.UTC(2000, 0, 1)) {
        implausible.push({
          index,
          field: 'startedAt',
          message: 'is not a plausible start time: must lie between 2000-01-01 and one day from now',
        });
      } else if (offsetOutOfRange(e.startedAt)) {
        implausible.push({
          index,
          field: 'startedAt',
          message: 'has a UTC offset of 16 hours or more, which no time zone has: the offset must lie within -15:59 and +15:59',
        });
      } else if (!separatorReadable(e.startedAt)) {
        implausible.push({
          index,
          field: 'startedAt',
          message: 'separates its date and time with neither "T" nor a space (RFC 3339)',
        });
      }
      // A v7 id's time places its row (a partition per month): one from the future (by this machine's
      // real clock) was not made by anyone, and would make a partition of its own.
      const made = uuid7Millis(e.invocationId);
      if (made !== null && made < ID_TIME_TO && made > Date.now() + MAX_CLOCK_SKEW_MS) {
        implausible.push({
          index,
          field: 'invocationId',
          message: 'is a version 7 id whose time is not plausible: it lies more than a day in the future',
        });
      }
      const month = monthKey(toMicroseconds(e.startedAt));
      if (month < oldest.month) {
        implausible.push({
          index,
          field: 'startedAt',
          message: `falls in ${month}, before ${oldest.month}, the oldest month still billed (${oldest.reason}); must fall in ${oldest.month} or later (UTC)`,
        });
      }
    });
    const platformExecutor = principal.role === 'executor' && principal.accountId === null && principal.keyId !== null;
    const undispatched: UsageRefusal[] = platformExecutor
      ? (await deps.dispatch.refusedDispatches(principal.keyId!, events)).map((r) => ({
          ...r,
          message: `events[${r.index}].${r.field}: ${r.message}`,
        }))
      : [];
    const known = await deps.accounts.existingAccountIds([...new Set(events.map((e) => e.accountId.toLowerCase()))]);
    const unknown: UsageRefusal[] = [];
    events.forEach((e, index) => {
      if (!known.has(e.accountId.toLowerCase())) unknown.push({ index, accountId: e.accountId });
    });
    const all = [...scope, ...undispatched, ...implausible, ...unknown].sort((a, b) => a.index - b.index);
    if (all.length === 0) return;
    const count = new Set(all.map((r) => r.index)).size;
    const tail = `; ${count === 1 ? 'that event was' : `${count} events were`} refused and the batch was refused whole (details list every refused event)`;
    deps.metrics.usageEvents.inc({ outcome: 'refused' }, count);
    if (scope.length > 0) throw errors.usageRefused('FORBIDDEN', 403, scope[0]!.message! + tail, all);
    if (undispatched.length > 0) throw errors.usageRefused('DISPATCH_TOKEN_INVALID', 403, undispatched[0]!.message! + tail, all);
    if (implausible.length > 0) {
      const first = implausible[0]!;
      throw errors.usageRefused(
        'VALIDATION_FAILED',
        400,
        `events[${first.index}].${first.field}: ${first.field === 'invocationId' ? events[first.index]!.invocationId : events[first.index]!.startedAt} ${first.message}${tail}`,
        all,
      );
    }
    const first = unknown[0]!;
    throw errors.usageRefused(
      'UNKNOWN_ACCOUNT',
      400,
      `events[${first.index}].accountId: account ${first.accountId} does not exist${tail}`,
      all,
    );
  }

  /**
   * Creates the partitions these events need, and with each month's the next one's: creating a
   * partition locks the whole table for an instant, better in the middle of a month than at the
   * start of the next, when every executor reports its first invocations of it at once.
   */
  async function ensurePartitions(events: MeteredEvent[]): Promise<void> {
    const missing = new Set<number>();
    for (const e of events) {
      // A month made ahead (with the one before) still brings its own next one.
      if (!knownMonths.has(e.idMonth)) missing.add(e.idMonth);
      if (e.idMonth > 0 && !knownMonths.has(e.idMonth + 1)) missing.add(e.idMonth + 1);
    }
    if (missing.size === 0) return;
    await deps.repo.ensurePartitions([...missing]);
    for (const m of missing) knownMonths.add(m);
  }

  async function ingest(principal: Principal, events: UsageEvent[]): Promise<IngestResult> {
    await checkBatch(principal, events);
    const timer = deps.metrics.usageBatchSeconds.startTimer();
    // The same invocation twice in one batch: only the first copy is stored; the others are
    // judged, like the first, against what counts: the stored event if there was one, else the first copy.
    const keyOf = (e: { accountId: string; invocationId: string }) => `${e.accountId.toLowerCase()}/${e.invocationId.toLowerCase()}`;
    const firsts = new Map<string, UsageEvent>();
    const repeats: UsageEvent[] = [];
    for (const e of events) {
      const key = keyOf(e);
      if (firsts.has(key)) repeats.push(e);
      else firsts.set(key, e);
    }
    const metered = [...firsts.values()].map(toMetered);
    await ensurePartitions(metered);
    const shard = nextShard;
    nextShard = (nextShard + 1) % ROLLUP_SHARDS;
    const { storedBefore: claimedBefore, claiming } = await deps.repo.insertBatch(metered, shard);
    deps.metrics.usageBatches.inc({ write: claiming ? 'claiming' : 'one_statement' });
    const storedBefore = new Map((await deps.repo.findStoredEvents(claimedBefore)).map((s) => [keyOf(s), s]));
    let duplicates = 0;
    const conflictIds: string[] = [];
    const judge = (e: UsageEvent, reference: StoredEvent | undefined) => {
      // The id and its event are one row, so a stored id always has a reference; were it ever missing,
      // the event is counted as a replay, never a second time.
      if (!reference || sameContent(reference, e)) duplicates++;
      else conflictIds.push(e.invocationId);
    };
    for (const k of claimedBefore) judge(firsts.get(keyOf(k))!, storedBefore.get(keyOf(k)));
    const claimedKeys = new Set(claimedBefore.map(keyOf));
    for (const e of repeats) {
      const key = keyOf(e);
      judge(e, claimedKeys.has(key) ? storedBefore.get(key) : toStored(firsts.get(key)!));
    }
    timer();
    const accepted = metered.length - claimedBefore.length;
    if (accepted > 0 && deps.onIngested) {
      const counted = claimedKeys.size === 0 ? metered : metered.filter((e) => !claimedKeys.has(keyOf(e)));
      deps.onIngested([...new Set(counted.map((e) => e.accountId))]);
    }
    deps.metrics.usageEvents.inc({ outcome: 'accepted' }, accepted);
    deps.metrics.usageEvents.inc({ outcome: 'duplicate' }, duplicates);
    deps.metrics.usageEvents.inc({ outcome: 'conflict' }, conflictIds.length);
    if (conflictIds.length > 0) {
      deps.log.warn(
        { conflicts: conflictIds.length, sample: conflictIds.slice(0, 5) },
        'usage replays with different content were not counted',
      );
    }
    return { accepted, duplicates, conflicts: conflictIds.length, conflictIds: conflictIds.slice(0, 100) };
  }

  async function query(q: {
    accountId: string;
    from?: string;
    to?: string;
    granularity: Granularity;
    groupBy: GroupBy | null;
    functionId: string | null;
  }) {
    const now = deps.clock.now();
    const hourFloor = (d: Date) => new Date(Math.floor(d.getTime() / 3600_000) * 3600_000);
    const hourCeil = (d: Date) => new Date(Math.ceil(d.getTime() / 3600_000) * 3600_000);
    const to = hourCeil(q.to ? new Date(q.to) : now);
    // Without `from`: the start of the UTC month `to` ends in (this month's when `to` is also left out).
    const last = new Date(to.getTime() - 1);
    const from = hourFloor(q.from ? new Date(q.from) : new Date(Date.UTC(last.getUTCFullYear(), last.getUTCMonth(), 1)));
    if (!(from < to)) throw errors.validation('from must be before to', [{ field: 'from' }]);
    if (to.getTime() - from.getTime() > MAX_SPAN_MS[q.granularity]) {
      throw new AppError(
        'VALIDATION_FAILED',
        400,
        `The window is too long for granularity ${q.granularity}: use a coarser granularity or a shorter window`,
      );
    }
    const rows = await deps.repo.queryBuckets({ ...q, from, to });
    let total = { requests: 0n, billedMs: 0n, mbMs: 0n, errors: 0n, timeouts: 0n };
    const buckets = rows.map((r) => {
      total = {
        requests: total.requests + BigInt(r.requests),
        billedMs: total.billedMs + BigInt(r.billedMs),
        mbMs: total.mbMs + BigInt(r.mbMs),
        errors: total.errors + BigInt(r.errors),
        timeouts: total.timeouts + BigInt(r.timeouts),
      };
      return {
        start: r.bucket.toISOString(),
        ...(q.groupBy === 'function' ? { functionId: r.functionId } : {}),
        ...(q.groupBy === 'architecture' ? { architecture: r.architecture } : {}),
        requests: Number(r.requests),
        billedMs: Number(r.billedMs),
        gbSeconds: formatDecimal(mbMsToGbSeconds(r.mbMs)),
        errors: Number(r.errors),
        timeouts: Number(r.timeouts),
      };
    });
    return {
      accountId: q.accountId,
      from: from.toISOString(),
      to: to.toISOString(),
      granularity: q.granularity,
      groupBy: q.groupBy,
      buckets,
      totals: {
        requests: Number(total.requests),
        billedMs: Number(total.billedMs),
        gbSeconds: formatDecimal(mbMsToGbSeconds(total.mbMs)),
        errors: Number(total.errors),
        timeouts: Number(total.timeouts),
      },
    };
  }

  /** One invocation's usage record (how GET /v1/invocations/:id finds a synchronous one), or null. */
  async function findInvocation(accountId: string, invocationId: string) {
    if (!isUuid(invocationId)) return null;
    const [found] = await deps.repo.findStoredEvents([{ accountId: accountId.toLowerCase(), invocationId: invocationId.toLowerCase() }]);
    return found ? { functionId: found.functionId, status: found.status } : null;
  }

  return { ingest, query, findInvocation };
}

const toStored = (e: UsageEvent): StoredEvent => toMetered(e);

export type UsageService = ReturnType<typeof createUsageService>;
export type UsageAnswer = Awaited<ReturnType<UsageService['query']>>;
