import type { Clock } from '../../lib/clock.js';
import type { AlertPosition, MappingPosition, RetentionRepository, RowPosition } from './retention.repository.js';

const DAY_MS = 86_400_000;
/**
 * The cut-off is this much older than the retention says: the database refuses one younger than a day by its own
 * clock, and the api's may be ahead of it (another host), which refused every pass of a one-day retention.
 */
const CLOCK_SLACK_MS = 5 * 60_000;

/**
 * Rows each statement looks at (at most; it deletes those of them its rule allows, with their attempts,
 * outbox rows and deliveries). A batch of 2,000 finished invocations, with two attempts and a delivery
 * each, took about 0.1 s on the development machine (docs/operations.md, "Record retention"): far inside
 * the statement timeout (TALLY_DB_STATEMENT_TIMEOUT_MS, 30 s by default), and short enough that a stop
 * waits for no more than that.
 */
export const DEFAULT_RETENTION_BATCH = 2_000;

/** What one pass removed, per table. */
export interface RetentionCounts {
  asyncInvocations: number;
  asyncAttempts: number;
  destinationDeliveries: number;
  /** Claims of event sources' failed batches, of mappings since deleted. */
  sourceFailureClaims: number;
  scheduleTicks: number;
  budgetAlerts: number;
  budgetAlertOutbox: number;
  budgetAlertAttempts: number;
  /** Quarantined usage events replayed more than the retention ago (never one not replayed). */
  usageQuarantine: number;
  /** Statements run. */
  batches: number;
  /** The pass was told to stop before it had looked at everything due: the next one goes on. */
  stopped: boolean;
}

/**
 * Retention of finished records (docs/operations.md, "Record retention"): asynchronous invocations with
 * their attempts and deliveries, webhook deliveries, the claims of event sources' failed batches whose
 * mapping is gone, schedule ticks, budget alerts with their outbox and attempts, and quarantined usage events
 * once replayed, once finished and older than the retention. Which rows are finished, and why deleting them
 * lets no duplicate through (nor loses usage), is each rule's, in the database (migrations/0098_record_retention.sql,
 * 0105_retention_quarantine_claims.sql). Billing records, and usage not yet replayed, are never touched.
 *
 * A pass walks each table in bounded batches, one statement each, and stops between batches once
 * `signal` is aborted; rows another replica's pass holds are skipped, so passes on several replicas at
 * once share the work and never fail on each other. A stopped pass leaves the rest to the next one.
 */
export function createRetentionService(deps: { repo: RetentionRepository; clock: Clock; batch?: number }) {
  const { repo } = deps;
  const limit = deps.batch ?? DEFAULT_RETENTION_BATCH;

  /** Runs `step` from the start of its table until it has looked at everything due, or the pass is stopped. */
  async function walk<P>(
    signal: AbortSignal | undefined,
    counts: RetentionCounts,
    step: (after: P | null) => Promise<{ scanned: number; last: P | null }>,
  ): Promise<void> {
    for (let after: P | null = null; ; ) {
      if (signal?.aborted) {
        counts.stopped = true;
        return;
      }
      const r = await step(after);
      counts.batches += 1;
      if (r.scanned < limit || r.last === null) return;
      after = r.last;
    }
  }

  return {
    /** One pass: removes what is finished and older than `days` days; answers what went. */
    async prune(days: number, signal?: AbortSignal): Promise<RetentionCounts> {
      const cutoff = new Date(deps.clock.now().getTime() - days * DAY_MS - CLOCK_SLACK_MS);
      const counts: RetentionCounts = {
        asyncInvocations: 0,
        asyncAttempts: 0,
        destinationDeliveries: 0,
        sourceFailureClaims: 0,
        scheduleTicks: 0,
        budgetAlerts: 0,
        budgetAlertOutbox: 0,
        budgetAlertAttempts: 0,
        usageQuarantine: 0,
        batches: 0,
        stopped: false,
      };
      await walk<RowPosition>(signal, counts, async (after) => {
        const r = await repo.pruneAsync(cutoff, after, limit);
        counts.asyncInvocations += r.invocations;
        counts.asyncAttempts += r.attempts;
        counts.destinationDeliveries += r.deliveries;
        return r;
      });
      // Every delivery and tick looked at goes: the oldest are always next, no position to keep.
      await walk<true>(signal, counts, async () => {
        const n = await repo.pruneDeliveries(cutoff, limit);
        counts.destinationDeliveries += n;
        return { scanned: n, last: true };
      });
      // By mapping, not by claim: a live mapping's claims (which all stay) cost one look a pass, however many.
      await walk<MappingPosition>(signal, counts, async (after) => {
        const r = await repo.pruneFailureClaims(cutoff, after, limit);
        counts.sourceFailureClaims += r.claims;
        return r;
      });
      await walk<true>(signal, counts, async () => {
        const n = await repo.pruneScheduleTicks(cutoff, limit);
        counts.scheduleTicks += n;
        return { scanned: n, last: true };
      });
      await walk<AlertPosition>(signal, counts, async (after) => {
        const r = await repo.pruneBudgetAlerts(cutoff, after, limit);
        counts.budgetAlerts += r.alerts;
        counts.budgetAlertOutbox += r.outbox;
        counts.budgetAlertAttempts += r.attempts;
        return r;
      });
      await walk<true>(signal, counts, async () => {
        const n = await repo.pruneUsageQuarantine(cutoff, limit);
        counts.usageQuarantine += n;
        return { scanned: n, last: true };
      });
      return counts;
    },
  };
}

export type RetentionService = ReturnType<typeof createRetentionService>;
