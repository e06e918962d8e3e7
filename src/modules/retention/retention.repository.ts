import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

/** Where a walk in (time, account, id) order stopped: the next batch starts after it. */
export interface RowPosition {
  at: Date;
  accountId: string;
  id: string;
}

/** Where a walk over the mappings that have failure claims stopped (null: before the first). */
export interface MappingPosition {
  mappingId: string | null;
}

/** Where a walk over budget alerts in (month, id) order stopped. */
export interface AlertPosition {
  period: string;
  id: string;
}

/**
 * The retention rules' calls (migrations/0098_record_retention.sql and 0105_retention_quarantine_claims.sql,
 * where each rule and why it is safe are written): every call is one statement that looks at no more than
 * `limit` rows (the failure claims' walk: `limit` mappings and `limit` claims), deletes those its rule allows,
 * and answers how many it looked at and where it stopped. The functions run with the
 * owner's rights: the api's role may not delete these rows itself.
 */
export function createRetentionRepository(db: Db) {
  return {
    /** Finished asynchronous invocations with their attempts and their own destination delivery. */
    async pruneAsync(cutoff: Date, after: RowPosition | null, limit: number) {
      const { rows } = await sql<{
        n_scanned: number;
        n_invocations: number;
        n_attempts: number;
        n_deliveries: number;
        last_at: Date | null;
        last_account: string | null;
        last_id: string | null;
      }>`select * from retention_prune_async(${cutoff}, ${after?.at ?? null}, ${after?.accountId ?? null}, ${after?.id ?? null}, ${limit})`.execute(
        db,
      );
      const r = rows[0]!;
      return {
        scanned: r.n_scanned,
        invocations: r.n_invocations,
        attempts: r.n_attempts,
        deliveries: r.n_deliveries,
        last: r.last_at ? { at: r.last_at, accountId: r.last_account!, id: r.last_id! } : null,
      };
    },

    /** Finished webhook deliveries past their last retry, oldest first: every one looked at goes. */
    async pruneDeliveries(cutoff: Date, limit: number): Promise<number> {
      const { rows } = await sql<{ n: number }>`select retention_prune_deliveries(${cutoff}, ${limit}) as n`.execute(db);
      return rows[0]!.n;
    },

    /**
     * Claims of event sources' failed batches whose mapping is gone, walked by mapping (one index probe each) after
     * `after`: `scanned` counts the mappings looked at and the claims deleted (at least `limit` whenever there is more); `last`
     * is null once the walk is over.
     */
    async pruneFailureClaims(cutoff: Date, after: MappingPosition | null, limit: number) {
      const { rows } = await sql<{
        n_mappings: number;
        n_claims: number;
        last_mapping: string | null;
        more: boolean;
      }>`select * from retention_prune_failure_claims(${cutoff}, ${after?.mappingId ?? null}::uuid, ${limit})`.execute(db);
      const r = rows[0]!;
      return {
        scanned: r.n_mappings + r.n_claims,
        mappings: r.n_mappings,
        claims: r.n_claims,
        last: r.more ? { mappingId: r.last_mapping } : null,
      };
    },

    /** Schedule ticks, oldest first: every one looked at goes, so the count says whether more are left. */
    async pruneScheduleTicks(cutoff: Date, limit: number): Promise<number> {
      const { rows } = await sql<{ n: number }>`select retention_prune_schedule_ticks(${cutoff}, ${limit}) as n`.execute(db);
      return rows[0]!.n;
    },

    /** Replayed quarantined usage events, oldest replay first: every one looked at goes. Entries not replayed are never looked at. */
    async pruneUsageQuarantine(cutoff: Date, limit: number): Promise<number> {
      const { rows } = await sql<{ n: number }>`select retention_prune_usage_quarantine(${cutoff}, ${limit}) as n`.execute(db);
      return rows[0]!.n;
    },

    /** Budget alerts with their outbox rows and delivery attempts. */
    async pruneBudgetAlerts(cutoff: Date, after: AlertPosition | null, limit: number) {
      const { rows } = await sql<{
        n_scanned: number;
        n_alerts: number;
        n_outbox: number;
        n_attempts: number;
        last_period: string | null;
        last_id: string | null;
      }>`select * from retention_prune_budget_alerts(${cutoff}, ${after?.period ?? null}::date, ${after?.id ?? null}, ${limit})`.execute(
        db,
      );
      const r = rows[0]!;
      return {
        scanned: r.n_scanned,
        alerts: r.n_alerts,
        outbox: r.n_outbox,
        attempts: r.n_attempts,
        last: r.last_period ? { period: r.last_period, id: r.last_id! } : null,
      };
    },
  };
}

export type RetentionRepository = ReturnType<typeof createRetentionRepository>;
