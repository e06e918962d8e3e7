import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { SIGNING_SECRET_CONTEXT } from '../../lib/webhooks.js';
import { EXECUTOR_TOKEN_CONTEXT } from '../executors/executors.service.js';

/**
 * Every column holding a value sealed with TALLY_SECRET_KEY (src/lib/secret-box.ts), with the columns
 * naming its row (its primary key, or a unique one: some rows are named by two) and what the seal is
 * bound to (the context each service seals it with). A new sealed column belongs here, or rotating the
 * key would leave it unreadable.
 *
 * `legacyPlain`: the column held plain values before this release sealed it (the webhook signing
 * secrets, all `whsec_` and base64url, never of the sealed form): a plain value is sealed in place at
 * start, its plaintext unchanged, so receivers go on verifying.
 */
export const SEALED_COLUMNS = [
  { table: 'access_keys', column: 'secret_sealed', key: ['id'], context: ([id]: string[]) => id!, legacyPlain: false },
  { table: 'event_source_mappings', column: 'url_sealed', key: ['id'], context: ([id]: string[]) => id!, legacyPlain: false },
  {
    table: 'platform_secrets',
    column: 'sealed',
    key: ['name'],
    context: ([name]: string[]) => `platform_secrets:${name}`,
    legacyPlain: false,
  },
  { table: 'budgets', column: 'secret', key: ['id'], context: ([id]: string[]) => SIGNING_SECRET_CONTEXT.budget(id!), legacyPlain: true },
  {
    table: 'event_invoke_configs',
    column: 'webhook_secret',
    // qualifier_key: the qualifier, `$LATEST` for the function's own (stored as a null qualifier).
    key: ['account_id', 'function_id', 'qualifier_key'],
    context: ([accountId, functionId, qualifier]: string[]) =>
      SIGNING_SECRET_CONTEXT.invokeConfig(accountId!, functionId!, qualifier === '$LATEST' ? null : qualifier!),
    legacyPlain: true,
  },
  {
    table: 'event_source_mappings',
    column: 'webhook_secret',
    key: ['id'],
    context: ([id]: string[]) => SIGNING_SECRET_CONTEXT.mapping(id!),
    legacyPlain: true,
  },
  {
    table: 'executors',
    column: 'invoke_token',
    key: ['id'],
    context: ([id]: string[]) => EXECUTOR_TOKEN_CONTEXT(id!),
    legacyPlain: true,
  },
  {
    table: 'async_destination_deliveries',
    column: 'webhook_secret',
    key: ['account_id', 'request_id'],
    context: ([accountId, requestId]: string[]) => SIGNING_SECRET_CONTEXT.delivery(accountId!, requestId!),
    legacyPlain: true,
  },
] as const;

export type SealedColumn = (typeof SEALED_COLUMNS)[number];

/** The row's key columns, in order: `(a, b)`, compared as a row in their own types, so the key's index serves it. */
const keyOf = (c: SealedColumn) =>
  sql`(${sql.join(
    c.key.map((k) => sql.ref(k)),
    sql`, `,
  )})`;

export function createSecretsRepository(db: Db) {
  return {
    /**
     * Up to `limit` sealed values of `c` after the row keyed `after` (a key of two columns pages as one
     * row), in key order: one batch of a pass. `after` null: from the start. The key's own index serves
     * each page (found by a review on 2026-12-07: ordered by the key as text, every page scanned and
     * sorted the whole table, and 150,000 destination deliveries took the start past Fastify's timeout).
     */
    async page(c: SealedColumn, after: readonly string[] | null, limit: number): Promise<{ key: string[]; stored: string }[]> {
      const { rows } = await sql<{ key: string[]; stored: string }>`
        select array[${sql.join(c.key.map((k) => sql`${sql.ref(k)}::text`))}] as key, ${sql.ref(c.column)} as stored
        from ${sql.table(c.table)}
        where ${sql.ref(c.column)} is not null
          ${after ? sql`and ${keyOf(c)} > (${sql.join(after)})` : sql``}
        order by ${sql.join(c.key.map((k) => sql.ref(k)))} limit ${limit}`.execute(db);
      return rows;
    },

    /**
     * Replaces one sealed value, only if it is still `was`: another replica's pass (or a change to
     * the row) got there first otherwise, and its value stays. Answers whether this one was written.
     */
    async replace(c: SealedColumn, key: readonly string[], was: string, sealed: string): Promise<boolean> {
      const r = await sql`
        update ${sql.table(c.table)} set ${sql.ref(c.column)} = ${sealed}
        where ${keyOf(c)} = (${sql.join(key)}) and ${sql.ref(c.column)} = ${was}`.execute(db);
      return Number(r.numAffectedRows ?? 0) === 1;
    },
  };
}

export type SecretsRepository = ReturnType<typeof createSecretsRepository>;
