import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import { errors } from '../../lib/errors.js';
import type { AuditEntry, AuditRepository } from './audit.repository.js';

/** The largest id the log can hold (a bigint): a larger `beforeId` is refused, not handed to the database to fail on. */
const MAX_ID = 9_223_372_036_854_775_807n;

/** The audit log as other features see it: append inside their own transaction, read for admins. */
export function createAuditService(deps: { repo: AuditRepository }) {
  return {
    record: (tx: Db | Transaction<Database>, entries: AuditEntry[]) => deps.repo.append(tx, entries),
    async list(q: { accountId: string | null; action: string | null; limit: number; beforeId: string | null }) {
      if (q.beforeId !== null && BigInt(q.beforeId) > MAX_ID) {
        const message = `query.beforeId: must be at most ${MAX_ID}`;
        throw errors.validation(message, [{ field: 'query.beforeId', message: `must be at most ${MAX_ID}` }]);
      }
      const entries = await deps.repo.list(q);
      return {
        entries: entries.map((e) => ({ ...e, at: e.at.toISOString() })),
        nextBeforeId: entries.length === q.limit ? entries.at(-1)!.id : null,
      };
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
