import type { IngestResult, UsageEvent } from '../../contracts/usage.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, errors } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import { Money, formatDecimal, mbMsToGbSeconds } from '../../lib/money.js';
import { addMonths, periodOf, type Period } from '../../lib/period.js';
import type { AccountsRepository } from '../accounts/accounts.repository.js';
import type { Principal } from '../accounts/auth.js';
import { billedMs } from './billing-units.js';
import type { Granularity, GroupBy, MeteredEvent, StoredEvent, UsageRepository } from './usage.repository.js';

/** How far in the future a startedAt may lie (executor clocks drift a little; more is a bug). */
const MAX_CLOCK_SKEW_MS = 24 * 3600_000;
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

function toMetered(e: UsageEvent): MeteredEvent {
  return {
    accountId: e.accountId.toLowerCase(),
    invocationId: e.invocationId.toLowerCase(),
    functionId: e.functionId,
    architecture: e.architecture,
    memoryMb: e.memoryMb,
    durationMs: String(e.durationMs),
    initDurationMs: e.initDurationMs === undefined ? null : String(e.initDurationMs),
    billedMs: billedMs(e.durationMs, e.initDurationMs),
    startedAt: e.startedAt,
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
  /** How far back usage is still billed: the price catalog's first month, and the operator's look-back in months. */
  billing: { catalogStart(): Promise<Period | null>; lookbackMonths: number };
}) {
  const knownMonths = new Set<string>();

  /** The oldest month still open to usage, and why: usage before it could never be billed. */
  async function oldestOpenMonth(): Promise<{ month: Period; reason: string }> {
    const lookback = addMonths(periodOf(deps.clock.now()), -deps.billing.lookbackMonths);
    const start = await deps.billing.catalogStart();
    return start !== null && start > lookback
      ? { month: start, reason: 'the price catalog begins then' }
      : { month: lookback, reason: `the billing look-back is ${deps.billing.lookbackMonths} months` };
  }

  /** Refuses the whole batch (nothing written) if any event is not acceptable; names the first bad event. */
  async function checkBatch(principal: Principal, events: UsageEvent[]): Promise<void> {
    const latest = deps.clock.now().getTime() + MAX_CLOCK_SKEW_MS;
    const oldest = await oldestOpenMonth();
    events.forEach((e, index) => {
      if (principal.accountId !== null && e.accountId.toLowerCase() !== principal.accountId) {
        throw errors.forbidden(`events[${index}].accountId: this executor key is scoped to account ${principal.accountId}; the batch was refused whole`);
      }
      const started = Date.parse(e.startedAt);
      if (!Number.isFinite(started) || started > latest || started < Date.UTC(2000, 0, 1)) {
        throw errors.validation(`events[${index}].startedAt: ${e.startedAt} is not a plausible start time`, [
          { index, field: 'startedAt', message: 'must lie between 2000-01-01 and one day from now' },
        ]);
      }
      const month = monthKey(e.startedAt);
      if (month < oldest.month) {
        throw errors.validation(`events[${index}].startedAt: ${e.startedAt} falls in ${month}, before ${oldest.month}, the oldest month still billed (${oldest.reason})`, [
          { index, field: 'startedAt', message: `must fall in ${oldest.month} or later (UTC)` },
        ]);
      }
    });
    const ids = [...new Set(events.map((e) => e.accountId.toLowerCase()))];
    const known = await deps.accounts.existingAccountIds(ids);
    const unknown = events
      .map((e, index) => ({ index, accountId: e.accountId }))
      .filter((e) => !known.has(e.accountId.toLowerCase()));
    if (unknown.length > 0) throw errors.unknownAccounts(unknown.slice(0, 20));
  }

  async function ensurePartitions(events: MeteredEvent[]): Promise<void> {
    const missing = new Map<string, string>();
    for (const e of events) {
      const m = monthKey(e.startedAt);
      if (!knownMonths.has(m)) missing.set(m, e.startedAt);
    }
    if (missing.size === 0) return;
    await deps.repo.ensurePartitions([...missing.values()]);
    for (const m of missing.keys()) knownMonths.add(m);
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
      if (firsts.has(keyOf(e))) repeats.push(e);
      else firsts.set(keyOf(e), e);
    }
    const metered = [...firsts.values()].map(toMetered);
    await ensurePartitions(metered);
    const claimedBefore = await deps.repo.insertBatch(metered);
    const storedBefore = new Map((await deps.repo.findStoredEvents(claimedBefore)).map((s) => [keyOf(s), s]));
    let duplicates = 0;
    const conflictIds: string[] = [];
    const judge = (e: UsageEvent, reference: StoredEvent | undefined) => {
      // A claimed id whose raw event is gone (its month detached) can only be a replay.
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
      deps.onIngested([...new Set(metered.filter((e) => !claimedKeys.has(keyOf(e))).map((e) => e.accountId))]);
    }
    deps.metrics.usageEvents.inc({ outcome: 'accepted' }, accepted);
    deps.metrics.usageEvents.inc({ outcome: 'duplicate' }, duplicates);
    deps.metrics.usageEvents.inc({ outcome: 'conflict' }, conflictIds.length);
    if (conflictIds.length > 0) {
      deps.log.warn({ conflicts: conflictIds.length, sample: conflictIds.slice(0, 5) }, 'usage replays with different content were not counted');
    }
    return { accepted, duplicates, conflicts: conflictIds.length, conflictIds: conflictIds.slice(0, 100) };
  }

  async function query(q: {
    accountId: string; from?: string; to?: string; granularity: Granularity; groupBy: GroupBy | null; functionId: string | null;
  }) {
    const now = deps.clock.now();
    const hourFloor = (d: Date) => new Date(Math.floor(d.getTime() / 3600_000) * 3600_000);
    const hourCeil = (d: Date) => new Date(Math.ceil(d.getTime() / 3600_000) * 3600_000);
    const from = hourFloor(q.from ? new Date(q.from) : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)));
    const to = hourCeil(q.to ? new Date(q.to) : now);
    if (!(from < to)) throw errors.validation('from must be before to', [{ field: 'from' }]);
    if (to.getTime() - from.getTime() > MAX_SPAN_MS[q.granularity]) {
      throw new AppError('VALIDATION_FAILED', 400, `The window is too long for granularity ${q.granularity}: use a coarser granularity or a shorter window`);
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

  return { ingest, query };
}

const toStored = (e: UsageEvent): StoredEvent => toMetered(e);

export type UsageService = ReturnType<typeof createUsageService>;
export type UsageAnswer = Awaited<ReturnType<UsageService['query']>>;
