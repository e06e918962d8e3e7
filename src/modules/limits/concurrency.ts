import { randomUUID } from 'node:crypto';
import type { Logger } from '../../lib/logger.js';
import type { ConcurrencyRepository } from './concurrency.repository.js';

export interface ConcurrencyOptions {
  /** How long a lease lives without renewal: a crashed api's slots come back after this. */
  leaseTtlMs?: number;
  /** How often leases are renewed and unused slots given back. */
  renewMs?: number;
}

/** One limited scope (an account, or a function with reserved concurrency) as this process holds it. */
interface Pool {
  accountId: string;
  scope: string;
  limit: number;
  /** Slots leased from the database. */
  held: number;
  /** Invocations of this process running in them. */
  used: number;
  /** The most used at once since the last renewal: what the next renewal keeps. */
  peak: number;
  /** Invocations waiting for a slot: a claim asks for all of them at once. */
  waiting: number;
  claiming: Promise<void> | null;
}

/**
 * What reservations leave to an account's unreserved functions at least, unless an operator says
 * otherwise: Lambda keeps 100 of an account's 1,000, so a tenth of the limit, at most 100.
 */
export const defaultMinUnreserved = (accountLimit: number) => Math.min(100, Math.floor(accountLimit / 10));

/** Slots claimed at once, and kept spare: a tenth of the limit (at most 50), so that one replica never sits on much of it. */
const blockOf = (limit: number) => Math.max(1, Math.min(50, Math.floor(limit / 10)));
const spareOf = (limit: number) => (limit >= 10 ? blockOf(limit) : 0);

/**
 * Concurrency limits that hold across every api replica, without a database round trip per
 * invocation. Each process leases slots of a scope in blocks (a tenth of the limit) and counts its
 * invocations against them in memory; it goes to the database only when it needs more slots than it
 * holds. Once a second it renews its leases in one statement and shrinks each to what it used at
 * most since the last renewal plus a block (nothing when idle), so that slots one replica does not
 * use flow to the others within about a second. Leases expire when not renewed (a crashed api), and
 * a lease found expired is claimed again. When the database cannot be reached, the process falls
 * back to counting alone (the limit then holds per process): refusing every invocation because of a
 * database hiccup would be worse.
 */
export function createConcurrency(deps: { repo: ConcurrencyRepository; log: Logger; options?: ConcurrencyOptions }) {
  const { repo, log } = deps;
  const holder = randomUUID();
  const ttlMs = deps.options?.leaseTtlMs ?? 10_000;
  const renewMs = deps.options?.renewMs ?? 1_000;
  const pools = new Map<string, Pool>();
  let timer: NodeJS.Timeout | null = null;
  let renewing: Promise<void> | null = null;

  function poolOf(accountId: string, scope: string, limit: number): Pool {
    const key = `${accountId}/${scope}`;
    let pool = pools.get(key);
    if (!pool) {
      pool = { accountId, scope, limit, held: 0, used: 0, peak: 0, waiting: 0, claiming: null };
      pools.set(key, pool);
    }
    pool.limit = limit;
    return pool;
  }

  function take(pool: Pool): boolean {
    if (pool.used >= pool.held || pool.used >= pool.limit) return false;
    pool.used += 1;
    pool.peak = Math.max(pool.peak, pool.used);
    return true;
  }

  /**
   * Claims more slots. A claim writes the lease's whole count (what this process held plus the
   * grant), and so does a renewal: if both were in flight together, the one the database applies
   * last would win, and a renewal counted before the grant would hand the granted slots back while
   * they run, for another replica to take. So a claim waits for a renewal in flight, and a renewal
   * leaves out a scope with a claim in flight (the claim extends that lease itself).
   */
  function claim(pool: Pool): Promise<void> {
    pool.claiming = (async () => {
      if (renewing) await renewing.catch(() => undefined);
      const want = Math.min(pool.limit - pool.held, Math.max(blockOf(pool.limit), pool.used + pool.waiting - pool.held));
      if (want <= 0) return;
      try {
        pool.held += await repo.claim(
          holder,
          { accountId: pool.accountId, scope: pool.scope, slots: pool.held, want, limit: pool.limit },
          ttlMs,
        );
      } catch (err) {
        log.warn(
          { err, accountId: pool.accountId, scope: pool.scope },
          'could not claim concurrency slots; counting in this process alone',
        );
        pool.held = Math.max(pool.held, Math.min(pool.limit, pool.used + pool.waiting));
      }
    })().finally(() => {
      pool.claiming = null;
    });
    return pool.claiming;
  }

  /** One renewal at a time; a claim waits for the one in flight (see `claim`). */
  function renew(): Promise<void> {
    renewing ??= renewLeases().finally(() => {
      renewing = null;
    });
    return renewing;
  }

  /** Renews every lease, shrinking each to its recent peak plus a little; forgets idle scopes. */
  async function renewLeases(): Promise<void> {
    const leases = [];
    for (const [key, pool] of pools) {
      if (pool.claiming !== null) continue;
      const target = pool.peak === 0 ? 0 : Math.min(pool.held, pool.peak + spareOf(pool.limit));
      const keep = Math.max(target, pool.used);
      if (keep === 0 && pool.held === 0) {
        pools.delete(key);
        continue;
      }
      pool.held = keep;
      pool.peak = pool.used;
      leases.push({ accountId: pool.accountId, scope: pool.scope, slots: keep, running: pool.used });
      if (keep === 0) pools.delete(key);
    }
    const lost = await repo.renew(holder, leases, ttlMs);
    // Expired (this process could not renew in time): its spare slots may be someone else's now, and are
    // claimed again when needed; the running invocations' slots were put back (found by a review on
    // 2026-12-07: they were never counted again, and other replicas could claim the whole limit beside them).
    for (const [key, running] of lost) {
      const pool = pools.get(key);
      if (pool) pool.held = running;
    }
  }

  return {
    holder,

    /**
     * Takes a slot of this scope for one invocation, or answers null when the scope is at its limit
     * across every replica. The function returned gives the slot back (to this process; the database
     * hears at the next renewal).
     */
    async acquire(accountId: string, scope: string, limit: number): Promise<(() => void) | null> {
      const pool = poolOf(accountId, scope, limit);
      const release = () => {
        let done = false;
        return () => {
          if (!done) pool.used -= 1;
          done = true;
        };
      };
      if (take(pool)) return release();
      pool.waiting += 1;
      try {
        // Ends: each turn takes a slot, waits for a claim in flight, or claims; held only grows up to the limit.
        for (;;) {
          if (take(pool)) return release();
          if (pool.claiming) {
            await pool.claiming;
            continue;
          }
          if (pool.held >= pool.limit) return null;
          const before = pool.held;
          await claim(pool);
          if (pool.held === before) return take(pool) ? release() : null;
        }
      } finally {
        pool.waiting -= 1;
      }
    },

    /** Renews and shrinks the leases every renewMs. */
    start(): void {
      if (timer) return;
      timer = setInterval(() => {
        if (renewing) return;
        renew().catch((err: unknown) => log.warn({ err }, 'could not renew concurrency leases'));
      }, renewMs);
      timer.unref();
    },

    /** Stops renewing; with `release`, gives every lease back at once (a graceful stop), else they expire. */
    async stop(opts: { release: boolean } = { release: true }): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await renewing?.catch(() => undefined);
      if (opts.release) {
        pools.clear();
        await repo.releaseAll(holder).catch((err: unknown) => log.warn({ err }, 'could not give back concurrency leases'));
      }
    },

    /** One renewal now (tests). */
    renewNow: () => renew(),
  };
}

export type Concurrency = ReturnType<typeof createConcurrency>;
