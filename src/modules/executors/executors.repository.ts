import { sql, type ColumnType } from 'kysely';
import type { Db } from '../../db/database.js';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface ExecutorsTable {
  id: string;
  url: string;
  capacity: number;
  invoke_token: string;
  instances: ColumnType<number, number | undefined, number>;
  busy: ColumnType<number, number | undefined, number>;
  started_at: Timestamp;
  last_seen_at: Timestamp;
}

// A type alias, not an interface: withTables<T> needs T's implicit index signature.
export type ExecutorTables = { executors: ExecutorsTable };

export interface ExecutorRecord {
  id: string;
  url: string;
  capacity: number;
  token: string;
  instances: number;
  busy: number;
  startedAt: Date;
  lastSeenAt: Date;
}

const columns = ['id', 'url', 'capacity', 'invoke_token', 'instances', 'busy', 'started_at', 'last_seen_at'] as const;

const toRecord = (r: {
  id: string; url: string; capacity: number; invoke_token: string; instances: number; busy: number; started_at: Date; last_seen_at: Date;
}): ExecutorRecord => ({
  id: r.id,
  url: r.url,
  capacity: r.capacity,
  token: r.invoke_token,
  instances: r.instances,
  busy: r.busy,
  startedAt: r.started_at,
  lastSeenAt: r.last_seen_at,
});

/** Liveness is judged on the database's clock, the one clock every api process shares. */
export function createExecutorsRepository(base: Db) {
  const db = base.withTables<ExecutorTables>();
  return {
    /** Registers (or re-registers) an executor; an older incarnation at the same url, and long-dead rows, go. */
    async upsert(e: { id: string; url: string; capacity: number; token: string }): Promise<void> {
      await db.transaction().execute(async (tx) => {
        await tx
          .deleteFrom('executors')
          .where((eb) => eb.or([eb.and([eb('url', '=', e.url), eb('id', '<>', e.id)]), eb('last_seen_at', '<', sql<Date>`now() - interval '1 day'`)]))
          .execute();
        await tx
          .insertInto('executors')
          .values({ id: e.id, url: e.url, capacity: e.capacity, invoke_token: e.token, started_at: sql`now()`, last_seen_at: sql`now()` })
          .onConflict((oc) =>
            oc.column('id').doUpdateSet({
              url: e.url, capacity: e.capacity, invoke_token: e.token, instances: 0, busy: 0, started_at: sql`now()`, last_seen_at: sql`now()`,
            }),
          )
          .execute();
      });
    },

    async heartbeat(id: string, stats: { instances: number; busy: number }): Promise<boolean> {
      const r = await db
        .updateTable('executors')
        .set({ instances: stats.instances, busy: stats.busy, last_seen_at: sql`now()` })
        .where('id', '=', id)
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    async remove(id: string): Promise<boolean> {
      const r = await db.deleteFrom('executors').where('id', '=', id).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },

    /** Executors heard from within `staleAfterMs`. */
    async live(staleAfterMs: number): Promise<ExecutorRecord[]> {
      const rows = await db
        .selectFrom('executors')
        .select(columns)
        .where('last_seen_at', '>', sql<Date>`now() - make_interval(secs => ${staleAfterMs / 1000})`)
        .orderBy('id')
        .execute();
      return rows.map(toRecord);
    },

    async all(): Promise<ExecutorRecord[]> {
      return (await db.selectFrom('executors').select(columns).orderBy('started_at').execute()).map(toRecord);
    },
  };
}

export type ExecutorsRepository = ReturnType<typeof createExecutorsRepository>;
