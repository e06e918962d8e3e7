import { sql, type ColumnType } from 'kysely';
import type { Db } from '../../db/database.js';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface ExecutorsTable {
  id: string;
  url: string;
  capacity: number;
  invoke_token: string;
  key_id: string;
  left_at: Date | null;
  sandbox: ColumnType<'on' | 'off', 'on' | 'off' | undefined, 'on' | 'off'>;
  instances: ColumnType<number, number | undefined, number>;
  busy: ColumnType<number, number | undefined, number>;
  started_at: Timestamp;
  last_seen_at: Timestamp;
}

export interface PlatformSecretsTable {
  name: string;
  /** As releases before migration 0096 stored it; sealed by the api at its first start since. */
  unsealed_secret: Buffer | null;
  /** Sealed with TALLY_SECRET_KEY (src/lib/secret-box.ts). */
  sealed: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

// A type alias, not an interface: withTables<T> needs T's implicit index signature.
export type ExecutorTables = { executors: ExecutorsTable; platform_secrets: PlatformSecretsTable };

/** Why a registration was refused: the key runs another live executor, or this id runs under another key. */
export type RegisterOutcome = 'registered' | 'key_in_use' | 'id_in_use';

/** What a key may do to one executor id: it is bound to it, the id runs under another key, or the id is unknown (or left). */
export type Binding = 'bound' | 'other_key' | 'unknown';

export interface ExecutorRecord {
  id: string;
  url: string;
  capacity: number;
  token: string;
  instances: number;
  busy: number;
  sandbox: 'on' | 'off';
  startedAt: Date;
  lastSeenAt: Date;
}

const columns = ['id', 'url', 'capacity', 'invoke_token', 'instances', 'busy', 'sandbox', 'started_at', 'last_seen_at'] as const;

const toRecord = (r: {
  id: string;
  url: string;
  capacity: number;
  invoke_token: string;
  instances: number;
  busy: number;
  sandbox: 'on' | 'off';
  started_at: Date;
  last_seen_at: Date;
}): ExecutorRecord => ({
  id: r.id,
  url: r.url,
  capacity: r.capacity,
  token: r.invoke_token,
  sandbox: r.sandbox,
  instances: r.instances,
  busy: r.busy,
  startedAt: r.started_at,
  lastSeenAt: r.last_seen_at,
});

const isUniqueViolation = (err: unknown, constraint: string) =>
  (err as { code?: string; constraint?: string }).code === '23505' && (err as { constraint?: string }).constraint === constraint;

/** Liveness is judged on the database's clock, the one clock every api process shares. */
export function createExecutorsRepository(base: Db) {
  const db = base.withTables<ExecutorTables>();
  const staleBefore = (staleAfterMs: number) => sql<Date>`now() - make_interval(secs => ${staleAfterMs / 1000})`;

  /** Why a key's change to this id did not apply: another key holds it, or nobody (404). */
  async function bindingOf(id: string): Promise<Binding> {
    const row = await db.selectFrom('executors').select('left_at').where('id', '=', id).executeTakeFirst();
    return row && row.left_at === null ? 'other_key' : 'unknown';
  }

  return {
    /**
     * Registers (or re-registers) an executor under its key, in one transaction. Long-dead rows go, and
     * so does an older incarnation at the same url under the same key (a restart with a new id). The key
     * is bound to one executor (a unique key_id): a holder that left or went stale is replaced, a live
     * one keeps it. An id live under another key is not taken over.
     */
    async register(
      e: { id: string; url: string; capacity: number; token: string; keyId: string; sandbox?: 'on' | 'off' },
      staleAfterMs: number,
    ): Promise<RegisterOutcome> {
      try {
        return await db.transaction().execute(async (tx) => {
          await tx
            .deleteFrom('executors')
            .where((eb) =>
              eb.or([
                eb.and([eb('url', '=', e.url), eb('id', '<>', e.id), eb('key_id', '=', e.keyId)]),
                eb('last_seen_at', '<', sql<Date>`now() - interval '1 day'`),
              ]),
            )
            .execute();
          await tx
            .deleteFrom('executors')
            .where('key_id', '=', e.keyId)
            .where('id', '<>', e.id)
            .where((eb) => eb.or([eb('left_at', 'is not', null), eb('last_seen_at', '<', staleBefore(staleAfterMs))]))
            .execute();
          const row = await tx
            .insertInto('executors')
            .values({
              id: e.id,
              url: e.url,
              capacity: e.capacity,
              invoke_token: e.token,
              key_id: e.keyId,
              sandbox: e.sandbox ?? 'on',
              started_at: sql`now()`,
              last_seen_at: sql`now()`,
            })
            .onConflict((oc) =>
              oc
                .column('id')
                .doUpdateSet({
                  url: e.url,
                  capacity: e.capacity,
                  invoke_token: e.token,
                  key_id: e.keyId,
                  sandbox: e.sandbox ?? 'on',
                  left_at: null,
                  instances: 0,
                  busy: 0,
                  started_at: sql`now()`,
                  last_seen_at: sql`now()`,
                })
                .where((eb) =>
                  eb.or([
                    eb('executors.key_id', '=', e.keyId),
                    eb('executors.left_at', 'is not', null),
                    eb('executors.last_seen_at', '<', staleBefore(staleAfterMs)),
                  ]),
                ),
            )
            .returning('id')
            .executeTakeFirst();
          return row ? 'registered' : 'id_in_use';
        });
      } catch (err) {
        // Another live executor holds this key (found by the unique key, so two racing registrations cannot both win).
        if (isUniqueViolation(err, 'executors_key_id_key')) return 'key_in_use';
        throw err;
      }
    },

    async heartbeat(id: string, keyId: string, stats: { instances: number; busy: number }): Promise<Binding> {
      const r = await db
        .updateTable('executors')
        .set({ instances: stats.instances, busy: stats.busy, last_seen_at: sql`now()` })
        .where('id', '=', id)
        .where('key_id', '=', keyId)
        .where('left_at', 'is', null)
        .executeTakeFirst();
      return r.numUpdatedRows > 0n ? 'bound' : bindingOf(id);
    },

    /** The executor leaves the rotation; its key stays bound to it (the usage it still sends is accepted). */
    async leave(id: string, keyId: string): Promise<Binding> {
      const r = await db
        .updateTable('executors')
        .set({ left_at: sql`now()` })
        .where('id', '=', id)
        .where('key_id', '=', keyId)
        .where('left_at', 'is', null)
        .executeTakeFirst();
      return r.numUpdatedRows > 0n ? 'bound' : bindingOf(id);
    },

    /** Removes an executor for good; its key id, to be revoked. */
    async remove(id: string): Promise<string | null> {
      const row = await db.deleteFrom('executors').where('id', '=', id).returning('key_id').executeTakeFirst();
      return row?.key_id ?? null;
    },

    /** The key an executor is registered with. */
    async keyOf(id: string): Promise<string | null> {
      const row = await db.selectFrom('executors').select('key_id').where('id', '=', id).executeTakeFirst();
      return row?.key_id ?? null;
    },

    /** The executor a platform key is bound to, whether live, stale or left. */
    async boundTo(keyId: string): Promise<string | null> {
      const row = await db.selectFrom('executors').select('id').where('key_id', '=', keyId).executeTakeFirst();
      return row?.id ?? null;
    },

    /**
     * Executors heard from within `staleAfterMs` that have not left, and whose key is not revoked: an executor
     * whose key was revoked (DELETE /v1/keys/:id) cannot report the usage of what it runs, so it gets nothing
     * more to run, rather than until it goes stale (found by review).
     */
    async live(staleAfterMs: number): Promise<ExecutorRecord[]> {
      const rows = await db
        .selectFrom('executors')
        .select(columns)
        .where('last_seen_at', '>', staleBefore(staleAfterMs))
        .where('left_at', 'is', null)
        .where(sql<boolean>`exists (select 1 from api_keys k where k.id = executors.key_id and k.revoked_at is null)`)
        .orderBy('id')
        .execute();
      return rows.map(toRecord);
    },

    /** Registered executors that have not left. */
    async all(): Promise<ExecutorRecord[]> {
      return (await db.selectFrom('executors').select(columns).where('left_at', 'is', null).orderBy('started_at').execute()).map(toRecord);
    },

    /**
     * A shared secret by name, as stored: inserted (sealed) from `freshSealed` by whichever replica asks
     * first, the primary key keeping that one for every other (they read it back).
     */
    async secret(name: string, freshSealed: string): Promise<{ sealed: string | null; unsealed: Buffer | null }> {
      await db
        .insertInto('platform_secrets')
        .values({ name, sealed: freshSealed })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      const row = await db
        .selectFrom('platform_secrets')
        .select(['sealed', 'unsealed_secret'])
        .where('name', '=', name)
        .executeTakeFirstOrThrow();
      return { sealed: row.sealed, unsealed: row.unsealed_secret };
    },

    /** Seals in place a secret an earlier release stored unsealed, unless another replica has sealed it first. */
    async sealSecret(name: string, sealed: string): Promise<void> {
      await db
        .updateTable('platform_secrets')
        .set({ sealed, unsealed_secret: null })
        .where('name', '=', name)
        .where('sealed', 'is', null)
        .execute();
    },
  };
}

export type ExecutorsRepository = ReturnType<typeof createExecutorsRepository>;
