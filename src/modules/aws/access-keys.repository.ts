import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Database } from '../../db/schema.js';

export interface AccessKey {
  accountId: string;
  accessKeyId: string;
  /** Sealed with the secret box, the access key id as context. */
  secretSealed: string;
  createdAt: Date;
  revokedAt: Date | null;
}

// biome-ignore lint/suspicious/noExplicitAny: rows of the hand-written SQL below, mapped by toKey
type Row = Record<string, any>;
const toKey = (r: Row): AccessKey => ({
  accountId: r.account_id,
  accessKeyId: r.id,
  secretSealed: r.secret_sealed,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

export function createAccessKeysRepository(db: Db) {
  return {
    async insert(k: Omit<AccessKey, 'revokedAt'>, conn: Db | Transaction<Database> = db): Promise<void> {
      await sql`
        insert into access_keys (account_id, id, secret_sealed, created_at)
        values (${k.accountId}, ${k.accessKeyId}, ${k.secretSealed}, ${k.createdAt})`.execute(conn);
    },

    async findActive(accessKeyId: string): Promise<AccessKey | null> {
      if (!/^AKIA[A-Z2-7]{16}$/.test(accessKeyId)) return null;
      const { rows } = await sql<Row>`select * from access_keys where id = ${accessKeyId} and revoked_at is null`.execute(db);
      return rows[0] ? toKey(rows[0]) : null;
    },

    async list(accountId: string): Promise<AccessKey[]> {
      const { rows } = await sql<Row>`select * from access_keys where account_id = ${accountId} order by created_at`.execute(db);
      return rows.map(toKey);
    },

    /** false when the account has no such key or it was revoked already. */
    async revoke(accountId: string, accessKeyId: string, now: Date, conn: Db | Transaction<Database> = db): Promise<boolean> {
      const r = await sql`
        update access_keys set revoked_at = ${now}
        where account_id = ${accountId} and id = ${accessKeyId} and revoked_at is null`.execute(conn);
      return Number(r.numAffectedRows ?? 0) > 0;
    },
  };
}

export type AccessKeysRepository = ReturnType<typeof createAccessKeysRepository>;
