import type { Db } from '../../db/database.js';
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';

export type AuditAction =
  | 'price_version.created'
  | 'invoice.finalized'
  | 'invoice.voided'
  | 'account.free_tier_changed'
  | 'account.concurrency_limit_changed'
  | 'budget.created'
  | 'budget.changed'
  | 'budget.deleted'
  | 'usage.quarantine_replayed'
  | 'key.created'
  | 'key.revoked'
  | 'access_key.created'
  | 'access_key.revoked';

export interface AuditEntry {
  actor: string;
  action: AuditAction;
  accountId: string | null;
  subject: string | null;
  reason: string | null;
  details?: Record<string, unknown>;
}

export interface AuditRecord extends AuditEntry {
  id: string;
  at: Date;
}

/** The audit log is append-only (a trigger refuses UPDATE and DELETE); entries go in the caller's transaction. */
export function createAuditRepository(db: Db) {
  return {
    async append(tx: Db | Transaction<Database>, entries: AuditEntry[]): Promise<void> {
      if (entries.length === 0) return;
      await tx
        .insertInto('audit_log')
        .values(
          entries.map((e) => ({
            actor: e.actor,
            action: e.action,
            account_id: e.accountId,
            subject: e.subject,
            reason: e.reason,
            details: JSON.stringify(e.details ?? {}),
          })),
        )
        .execute();
    },

    async list(q: { accountId: string | null; action: string | null; limit: number; beforeId: string | null }): Promise<AuditRecord[]> {
      let query = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(q.limit);
      if (q.accountId) query = query.where('account_id', '=', q.accountId);
      if (q.action) query = query.where('action', '=', q.action);
      if (q.beforeId) query = query.where('id', '<', q.beforeId);
      const rows = await query.execute();
      return rows.map((r) => ({
        id: String(r.id),
        at: r.at,
        actor: r.actor,
        action: r.action as AuditAction,
        accountId: r.account_id,
        subject: r.subject,
        reason: r.reason,
        details: r.details as Record<string, unknown>,
      }));
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;

/** Who did it, as the audit log writes it: a key id, the environment's admin key, or the scheduler. */
export const actorOf = (p: { keyId: string | null; role: string } | null): string =>
  p === null ? 'system:scheduler' : p.keyId ? `key:${p.keyId}` : `${p.role}:env`;
