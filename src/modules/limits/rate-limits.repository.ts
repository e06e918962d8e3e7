import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

/** Fixed-window counters shared by the api replicas, on the database's clock (the one clock they share). */
export function createRateLimitsRepository(db: Db) {
  return {
    /** Counts one hit on `key`; a window that has ended starts again. Answers the hits so far and the ms left in the window. */
    async hit(key: string, windowMs: number): Promise<{ hits: number; ttlMs: number }> {
      const r = await sql<{ hits: number; ttl_ms: string }>`
        insert into rate_limit_hits as h (key, hits, resets_at)
        values (${key}, 1, now() + make_interval(secs => ${windowMs / 1000}))
        on conflict (key) do update set
          hits = case when h.resets_at <= now() then 1 else h.hits + 1 end,
          resets_at = case when h.resets_at <= now() then excluded.resets_at else h.resets_at end
        returning hits, ceil(extract(epoch from resets_at - now()) * 1000)::bigint as ttl_ms
      `.execute(db);
      const row = r.rows[0]!;
      return { hits: row.hits, ttlMs: Math.max(0, Number(row.ttl_ms)) };
    },

    /** Drops counters whose window ended a while ago. */
    async purge(): Promise<void> {
      await sql`delete from rate_limit_hits where resets_at < now() - interval '1 minute'`.execute(db);
    },
  };
}

export type RateLimitsRepository = ReturnType<typeof createRateLimitsRepository>;
