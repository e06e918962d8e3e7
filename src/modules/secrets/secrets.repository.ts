import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

/**
 * Every column holding a value sealed with TALLY_SECRET_KEY (src/lib/secret-box.ts), with the column
 * naming its row and what the seal is bound to (the context each service seals it with). A new sealed
 * column belongs here, or rotating the key would leave it unreadable.
 */
export const SEALED_COLUMNS = [
  { table: 'access_keys', column: 'secret_sealed', key: 'id', context: (id: string) => id },
  { table: 'event_source_mappings', column: 'url_sealed', key: 'id', context: (id: string) => id },
  { table: 'platform_secrets', column: 'sealed', key: 'name', context: (name: string) => `platform_secrets:${name}` },
] as const;

export type SealedColumn = (typeof SEALED_COLUMNS)[number];

export function createSecretsRepository(db: Db) {
  return {
    /** Up to `limit` sealed values of `c` after row `after` (by key, as text): one batch of a pass. */
    async page(c: SealedColumn, after: string, limit: number): Promise<{ key: string; sealed: string }[]> {
      const { rows } = await sql<{ key: string; sealed: string }>`
        select ${sql.ref(c.key)}::text as key, ${sql.ref(c.column)} as sealed from ${sql.table(c.table)}
        where ${sql.ref(c.column)} is not null and ${sql.ref(c.key)}::text > ${after}
        order by ${sql.ref(c.key)}::text limit ${limit}`.execute(db);
      return rows;
    },

    /**
     * Replaces one sealed value, only if it is still `was`: another replica's pass (or a change to
     * the row) got there first otherwise, and its value stays. Answers whether this one was written.
     */
    async replace(c: SealedColumn, key: string, was: string, sealed: string): Promise<boolean> {
      const r = await sql`
        update ${sql.table(c.table)} set ${sql.ref(c.column)} = ${sealed}
        where ${sql.ref(c.key)}::text = ${key} and ${sql.ref(c.column)} = ${was}`.execute(db);
      return Number(r.numAffectedRows ?? 0) === 1;
    },
  };
}

export type SecretsRepository = ReturnType<typeof createSecretsRepository>;
