import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Backlog } from '../../lib/metrics.js';

/** Work waiting in the database, for the metrics: quarantined usage and undelivered alerts. */
export function createBacklogRepository(db: Db) {
  return {
    async read(): Promise<Backlog> {
      const { rows } = await sql<{ quarantine: string; pending: string; oldest: string }>`
        select
          (select count(*) from usage_quarantine where replayed_at is null)::text as quarantine,
          (select count(*) from budget_alert_outbox where status = 'pending')::text as pending,
          coalesce((select extract(epoch from now() - min(a.created_at))
                    from budget_alert_outbox o join budget_alerts a on a.id = o.alert_id
                    where o.status = 'pending'), 0)::text as oldest`.execute(db);
      const r = rows[0]!;
      return {
        quarantineUnreplayed: Number(r.quarantine),
        alertDeliveriesPending: Number(r.pending),
        oldestPendingAlertAgeS: Math.max(0, Number(r.oldest)),
      };
    },
  };
}
