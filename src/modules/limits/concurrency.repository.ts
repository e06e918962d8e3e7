import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

export interface Lease {
  accountId: string;
  scope: string;
  slots: number;
  /** Of those, the slots of invocations running now: put back even when the lease had expired. */
  running?: number;
}

/** Concurrency leases: what one api process (a holder) holds of each scope's limit, on the database's clock. */
export function createConcurrencyRepository(db: Db) {
  return {
    /** Up to `want` more slots (serialized per scope in the database); the number granted. */
    async claim(holder: string, lease: Lease & { want: number; limit: number }, ttlMs: number): Promise<number> {
      const r = await sql<{ granted: number }>`
        select concurrency_claim(${lease.accountId}::uuid, ${lease.scope}, ${holder}::uuid, ${lease.slots}::int, ${lease.want}::int,
                                 ${lease.limit}::int, ${ttlMs}::int) as granted`.execute(db);
      return r.rows[0]!.granted;
    },

    /**
     * Sets this holder's leases to these counts and extends them; a count of 0 gives the lease back.
     * One statement. Answers the leases that were no longer there (they expired: their spare slots may
     * be someone else's by now), as `account/scope` keys, with the running slots put back for each.
     */
    async renew(holder: string, leases: Lease[], ttlMs: number): Promise<Map<string, number>> {
      if (leases.length === 0) return new Map();
      const r = await sql<{ account_id: string; scope: string; running: number }>`
        with wanted as (
          select * from unnest(${leases.map((l) => l.accountId)}::uuid[], ${leases.map((l) => l.scope)}::text[], ${leases.map((l) => l.slots)}::int[],
                               ${leases.map((l) => l.running ?? 0)}::int[])
            as w(account_id, scope, slots, running)
        ),
        kept as (
          update concurrency_leases c set slots = w.slots, expires_at = now() + make_interval(secs => ${ttlMs / 1000})
            from wanted w
           where c.holder = ${holder}::uuid and c.account_id = w.account_id and c.scope = w.scope and w.slots > 0
          returning c.account_id, c.scope
        ),
        released as (
          delete from concurrency_leases c
           using wanted w
           where c.holder = ${holder}::uuid and c.account_id = w.account_id and c.scope = w.scope and w.slots = 0
        ),
        lost as (
          select w.account_id, w.scope, w.running from wanted w
           where w.slots > 0 and not exists (select 1 from kept k where k.account_id = w.account_id and k.scope = w.scope)
        ),
        -- Invocations still running under an expired lease are running all the same: counted again at
        -- once, even past the limit for a moment, so that no other replica goes on claiming their slots.
        restored as (
          insert into concurrency_leases (account_id, scope, holder, slots, expires_at)
          select l.account_id, l.scope, ${holder}::uuid, l.running, now() + make_interval(secs => ${ttlMs / 1000})
            from lost l where l.running > 0
          on conflict (account_id, scope, holder) do update set slots = excluded.slots, expires_at = excluded.expires_at
        )
        select account_id, scope, running from lost
      `.execute(db);
      return new Map(r.rows.map((row) => [`${row.account_id}/${row.scope}`, row.running]));
    },

    /** Gives back every lease of this holder (a graceful stop). */
    async releaseAll(holder: string): Promise<void> {
      await sql`delete from concurrency_leases where holder = ${holder}::uuid`.execute(db);
    },
  };
}

export type ConcurrencyRepository = ReturnType<typeof createConcurrencyRepository>;
