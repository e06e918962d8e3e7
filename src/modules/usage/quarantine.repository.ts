import { sql, type ColumnType, type Generated, type Kysely, type Transaction } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Database } from '../../db/schema.js';

export type ReplayOutcome = 'accepted' | 'duplicate' | 'conflict';

export interface UsageQuarantineTable {
  id: Generated<string>;
  account_id: string;
  invocation_id: string;
  event_sha256: string;
  /** Written as JSON text; pg parses `json` on the way back. */
  event: ColumnType<unknown, string, never>;
  reason: string;
  executor_id: string | null;
  key_id: string | null;
  received_at: ColumnType<Date, Date | string | undefined, never>;
  replayed_at: Date | null;
  replayed_by: string | null;
  replay_outcome: ReplayOutcome | null;
}

// A type alias, not an interface: withTables<T> needs T's implicit index signature.
export type QuarantineTables = { usage_quarantine: UsageQuarantineTable };
type Conn = Kysely<Database> | Transaction<Database>;

export interface NewQuarantineEntry {
  accountId: string;
  invocationId: string;
  eventSha256: string;
  /** The event as JSON text, exactly as it will be stored. */
  eventJson: string;
  reason: string;
  executorId: string | null;
  keyId: string | null;
}

export interface QuarantineEntry {
  id: string;
  accountId: string;
  invocationId: string;
  event: unknown;
  reason: string;
  executorId: string | null;
  /** The key that reported it (an executor's platform key, or an account's key). */
  keyId: string | null;
  receivedAt: Date;
  replayedAt: Date | null;
  replayedBy: string | null;
  replayOutcome: ReplayOutcome | null;
}

/**
 * Where a page of the list ended: its last entry's receipt, in microseconds since 1970 as Postgres holds it (a JS Date
 * keeps milliseconds), and id. The next page starts after it whether or not that entry is still there (retention
 * removes replayed entries).
 */
export interface QuarantinePosition {
  receivedUs: string;
  id: string;
}

const columns = [
  'id',
  'account_id',
  'invocation_id',
  'event',
  'reason',
  'executor_id',
  'key_id',
  'received_at',
  'replayed_at',
  'replayed_by',
  'replay_outcome',
] as const;

const toEntry = (r: {
  id: string;
  account_id: string;
  invocation_id: string;
  event: unknown;
  reason: string;
  executor_id: string | null;
  key_id: string | null;
  received_at: Date;
  replayed_at: Date | null;
  replayed_by: string | null;
  replay_outcome: ReplayOutcome | null;
}): QuarantineEntry => ({
  id: r.id,
  accountId: r.account_id,
  invocationId: r.invocation_id,
  event: r.event,
  reason: r.reason,
  executorId: r.executor_id,
  keyId: r.key_id,
  receivedAt: r.received_at,
  replayedAt: r.replayed_at,
  replayedBy: r.replayed_by,
  replayOutcome: r.replay_outcome,
});

/** Rows per INSERT: 7 parameters each, well under Postgres' 65,535 per statement. */
const CHUNK = 1_000;

export function createQuarantineRepository(base: Db) {
  const t = (conn: Conn) => conn.withTables<QuarantineTables>();
  const db = t(base);
  return {
    /** Stores what is new; an entry already there (same account, invocation and content) is left alone. Returns how many were new. */
    async insert(entries: NewQuarantineEntry[]): Promise<number> {
      let stored = 0;
      for (let i = 0; i < entries.length; i += CHUNK) {
        const rows = await db
          .insertInto('usage_quarantine')
          .values(
            entries.slice(i, i + CHUNK).map((e) => ({
              account_id: e.accountId,
              invocation_id: e.invocationId,
              event_sha256: e.eventSha256,
              event: e.eventJson,
              reason: e.reason,
              executor_id: e.executorId,
              key_id: e.keyId,
            })),
          )
          .onConflict((oc) => oc.columns(['account_id', 'invocation_id', 'event_sha256']).doNothing())
          .returning('id')
          .execute();
        stored += rows.length;
      }
      return stored;
    },

    /**
     * Oldest first, each entry with its position; `after` is where the previous page ended: a position, or (as earlier
     * releases answered) the id of its last entry, which finds nothing once retention removed that entry.
     */
    async list(q: {
      accountId: string | null;
      invocationId: string | null;
      replayed: boolean | null;
      limit: number;
      after: QuarantinePosition | string | null;
    }): Promise<{ entry: QuarantineEntry; position: QuarantinePosition }[]> {
      let query = db
        .selectFrom('usage_quarantine')
        .select(columns)
        .select(sql<string>`(extract(epoch from received_at) * 1000000)::bigint::text`.as('received_us'))
        .orderBy('received_at')
        .orderBy('id')
        .limit(q.limit);
      if (q.accountId !== null) query = query.where('account_id', '=', q.accountId.toLowerCase());
      if (q.invocationId !== null) query = query.where('invocation_id', '=', q.invocationId.toLowerCase());
      if (q.replayed !== null) query = query.where('replayed_at', q.replayed ? 'is not' : 'is', null);
      if (q.after !== null && typeof q.after === 'object') {
        const { receivedUs, id } = q.after;
        query = query.where(
          sql<boolean>`(received_at, id) > (timestamptz 'epoch' + ${receivedUs}::bigint * interval '1 microsecond', ${id}::uuid)`,
        );
      } else if (q.after !== null) {
        const after = q.after;
        query = query.where((eb) =>
          eb(
            eb.refTuple('received_at', 'id'),
            '>',
            eb
              .selectFrom('usage_quarantine as a')
              .select(['a.received_at', 'a.id'])
              .where('a.id', '=', after)
              .$asTuple('received_at', 'id'),
          ),
        );
      }
      return (await query.execute()).map((r) => ({ entry: toEntry(r), position: { receivedUs: r.received_us, id: r.id } }));
    },

    async find(id: string): Promise<QuarantineEntry | null> {
      const row = await db.selectFrom('usage_quarantine').select(columns).where('id', '=', id).executeTakeFirst();
      return row ? toEntry(row) : null;
    },

    /** Marks an entry replayed, once: false when another replay marked it first. */
    async markReplayed(tx: Transaction<Database>, id: string, by: string, outcome: ReplayOutcome): Promise<boolean> {
      const r = await t(tx)
        .updateTable('usage_quarantine')
        .set({ replayed_at: sql`now()`, replayed_by: by, replay_outcome: outcome })
        .where('id', '=', id)
        .where('replayed_at', 'is', null)
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },
  };
}

export type QuarantineRepository = ReturnType<typeof createQuarantineRepository>;
