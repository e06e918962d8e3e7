import { isUuid } from '../../contracts/usage.js';
import type { Db } from '../../db/database.js';
import { sql, type Transaction } from 'kysely';
import type { Database, KeyRole } from '../../db/schema.js';

export interface Account {
  id: string;
  name: string;
  freeTier: boolean;
  /** The operator's concurrency limit for the account; null: the deployment's default (TALLY_ACCOUNT_CONCURRENCY). */
  concurrencyLimit: number | null;
  createdAt: Date;
}

export interface ApiKey {
  id: string;
  accountId: string | null;
  role: KeyRole;
  prefix: string;
  label: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

const accountColumns = ['id', 'name', 'free_tier', 'concurrency_limit', 'created_at'] as const;
const keyColumns = ['id', 'account_id', 'role', 'prefix', 'label', 'created_at', 'revoked_at'] as const;

const toAccount = (r: { id: string; name: string; free_tier: boolean; concurrency_limit: number | null; created_at: Date }): Account => ({
  id: r.id,
  name: r.name,
  freeTier: r.free_tier,
  concurrencyLimit: r.concurrency_limit,
  createdAt: r.created_at,
});

const toKey = (r: {
  id: string;
  account_id: string | null;
  role: KeyRole;
  prefix: string;
  label: string | null;
  created_at: Date;
  revoked_at: Date | null;
}): ApiKey => ({
  id: r.id,
  accountId: r.account_id,
  role: r.role,
  prefix: r.prefix,
  label: r.label,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

export function createAccountsRepository(db: Db) {
  return {
    async insertAccount(name: string, freeTier: boolean): Promise<Account> {
      const row = await db.insertInto('accounts').values({ name, free_tier: freeTier }).returning(accountColumns).executeTakeFirstOrThrow();
      return toAccount(row);
    },

    async findAccount(id: string): Promise<Account | null> {
      if (!isUuid(id)) return null;
      const row = await db.selectFrom('accounts').select(accountColumns).where('id', '=', id).executeTakeFirst();
      return row ? toAccount(row) : null;
    },

    async listAccounts(limit: number, after: string | null): Promise<Account[]> {
      let q = db.selectFrom('accounts').select(accountColumns).orderBy('id').limit(limit);
      if (after) q = q.where('id', '>', after);
      return (await q.execute()).map(toAccount);
    },

    /** The account, its row locked until the transaction ends. */
    async lockAccount(tx: Transaction<Database>, id: string): Promise<Account> {
      return toAccount(await tx.selectFrom('accounts').select(accountColumns).where('id', '=', id).forUpdate().executeTakeFirstOrThrow());
    },

    async updateFreeTier(tx: Transaction<Database>, id: string, freeTier: boolean): Promise<Account> {
      const row = await tx
        .updateTable('accounts')
        .set({ free_tier: freeTier })
        .where('id', '=', id)
        .returning(accountColumns)
        .executeTakeFirstOrThrow();
      return toAccount(row);
    },

    /** The account as the transaction sees it, without locking its row. */
    async readAccount(tx: Transaction<Database>, id: string): Promise<Account> {
      return toAccount(await tx.selectFrom('accounts').select(accountColumns).where('id', '=', id).executeTakeFirstOrThrow());
    },

    async updateConcurrencyLimit(tx: Transaction<Database>, id: string, limit: number | null): Promise<Account> {
      const row = await tx
        .updateTable('accounts')
        .set({ concurrency_limit: limit })
        .where('id', '=', id)
        .returning(accountColumns)
        .executeTakeFirstOrThrow();
      return toAccount(row);
    },

    async existingAccountIds(ids: string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await db.selectFrom('accounts').select('id').where('id', 'in', ids).execute();
      return new Set(rows.map((r) => r.id));
    },

    async insertKey(
      k: { accountId: string | null; role: KeyRole; hash: Buffer; prefix: string; label: string | null },
      conn: Db | Transaction<Database> = db,
    ): Promise<ApiKey> {
      const row = await conn
        .insertInto('api_keys')
        .values({ account_id: k.accountId, role: k.role, key_hash: k.hash, prefix: k.prefix, label: k.label })
        .returning(keyColumns)
        .executeTakeFirstOrThrow();
      return toKey(row);
    },

    async findActiveKeyByHash(hash: Buffer): Promise<ApiKey | null> {
      const row = await db
        .selectFrom('api_keys')
        .select(keyColumns)
        .where('key_hash', '=', hash)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return row ? toKey(row) : null;
    },

    async findKey(id: string): Promise<ApiKey | null> {
      if (!isUuid(id)) return null;
      const row = await db.selectFrom('api_keys').select(keyColumns).where('id', '=', id).executeTakeFirst();
      return row ? toKey(row) : null;
    },

    async listKeys(accountId: string | null): Promise<ApiKey[]> {
      const q = db.selectFrom('api_keys').select(keyColumns).orderBy('created_at');
      const rows = await (accountId === null ? q.where('account_id', 'is', null) : q.where('account_id', '=', accountId)).execute();
      return rows.map(toKey);
    },

    async revokeKey(id: string, at: Date, conn: Db | Transaction<Database> = db): Promise<ApiKey | null> {
      const row = await conn
        .updateTable('api_keys')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .returning(keyColumns)
        .executeTakeFirst();
      return row ? toKey(row) : null;
    },

    /** Serialises first-start admin key creation across replicas, until the transaction ends. */
    async lockBootstrap(tx: Transaction<Database>): Promise<void> {
      await sql`select pg_advisory_xact_lock(hashtext('tally.bootstrap-admin-key'))`.execute(tx);
    },

    /** The key revision: it changes whenever a key is revoked (a trigger in the revoking transaction). */
    async keyRevision(): Promise<string> {
      const r = await sql<{ revision: string }>`select revision from api_key_revision`.execute(db);
      return r.rows[0]?.revision ?? '0';
    },

    async countAdminKeys(conn: Db | Transaction<Database> = db): Promise<number> {
      const row = await conn
        .selectFrom('api_keys')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('role', '=', 'admin')
        .where('revoked_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

export type AccountsRepository = ReturnType<typeof createAccountsRepository>;
