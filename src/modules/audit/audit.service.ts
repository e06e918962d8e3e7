import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import type { AuditEntry, AuditRepository } from './audit.repository.js';

/** The audit log as other features see it: append inside their own transaction, read for admins. */
export function createAuditService(deps: { repo: AuditRepository }) {
  return {
    record: (tx: Db | Transaction<Database>, entries: AuditEntry[]) => deps.repo.append(tx, entries),
    async list(q: { accountId: string | null; action: string | null; limit: number; beforeId: string | null }) {
      const entries = await deps.repo.list(q);
      return {
        entries: entries.map((e) => ({ ...e, at: e.at.toISOString() })),
        nextBeforeId: entries.length === q.limit ? entries.at(-1)!.id : null,
      };
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
