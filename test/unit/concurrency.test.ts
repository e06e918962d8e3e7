import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { createConcurrency } from '../../src/modules/limits/concurrency.js';
import type { ConcurrencyRepository, Lease } from '../../src/modules/limits/concurrency.repository.js';

/** A database of one scope: grants what the limit leaves, counts the round trips. */
function fakeRepo() {
  const calls = { claim: 0, renew: 0 };
  const repo: ConcurrencyRepository = {
    async claim(_holder, lease: Lease & { want: number; limit: number }) {
      calls.claim += 1;
      return Math.max(0, Math.min(lease.want, lease.limit - lease.slots));
    },
    async renew() {
      calls.renew += 1;
      return new Map<string, number>();
    },
    async releaseAll() {},
  };
  return { repo, calls };
}

describe('concurrency leases', () => {
  it('runs warm sequential invocations without a database round trip each', async () => {
    const { repo, calls } = fakeRepo();
    const c = createConcurrency({ repo, log: silentLogger() });
    for (let i = 0; i < 1000; i++) {
      const release = await c.acquire('acct', 'account', 1000);
      expect(release).not.toBeNull();
      release!();
    }
    expect(calls.claim).toBe(1);
  });

  it('claims in blocks of a tenth of the limit as invocations pile up, and refuses past the limit', async () => {
    const { repo, calls } = fakeRepo();
    const c = createConcurrency({ repo, log: silentLogger() });
    const running = await Promise.all(Array.from({ length: 100 }, () => c.acquire('acct', 'account', 100)));
    expect(running.every((r) => r !== null)).toBe(true);
    expect(calls.claim).toBeLessThanOrEqual(10);
    expect(await c.acquire('acct', 'account', 100)).toBeNull();
    running[0]!();
    expect(await c.acquire('acct', 'account', 100)).not.toBeNull();
  });

  it('gives back idle slots at renewal, and keeps what was in use', async () => {
    const leases: Lease[][] = [];
    const { repo } = fakeRepo();
    repo.renew = async (_holder, l) => {
      leases.push(l);
      return new Map();
    };
    const c = createConcurrency({ repo, log: silentLogger() });
    const a = await c.acquire('acct', 'account', 100);
    const b = await c.acquire('acct', 'account', 100);
    a!();
    await c.renewNow(); // peak 2 since the last renewal: keeps 2 + a spare block (it holds 10)
    expect(leases.at(-1)).toEqual([{ accountId: 'acct', scope: 'account', slots: 10, running: 1 }]);
    await c.renewNow(); // peak 1 now
    expect(leases.at(-1)).toEqual([{ accountId: 'acct', scope: 'account', slots: 10, running: 1 }]);
    b!();
    await c.renewNow();
    await c.renewNow(); // idle for a whole period: everything goes back
    expect(leases.at(-1)).toEqual([{ accountId: 'acct', scope: 'account', slots: 0, running: 0 }]);
  });

  it('claims again when a renewal finds its lease expired (the process could not renew in time)', async () => {
    const { repo, calls } = fakeRepo();
    repo.renew = async () => new Map([['acct/account', 1]]); // expired; the one running put back
    const c = createConcurrency({ repo, log: silentLogger() });
    const running = await c.acquire('acct', 'account', 100);
    await c.renewNow(); // the lease was gone: this process holds only its running invocation's slot again
    expect(calls.claim).toBe(1);
    const next = await c.acquire('acct', 'account', 100);
    expect(next).not.toBeNull();
    expect(calls.claim).toBe(2);
    running!();
    next!();
  });
});

/**
 * A database that applies each statement only when the test says so, in the order it says: a claim
 * and a renewal of the same lease, in flight together, can reach it either way round.
 */
function reorderingRepo() {
  const slots = new Map<string, number>();
  const pending: (() => void)[] = [];
  const repo: ConcurrencyRepository = {
    claim: (holder, lease: Lease & { want: number; limit: number }) =>
      new Promise((resolve) =>
        pending.push(() => {
          const others = [...slots].filter(([h]) => h !== holder).reduce((n, [, s]) => n + s, 0);
          const granted = Math.max(0, Math.min(lease.want, lease.limit - others - lease.slots));
          slots.set(holder, lease.slots + granted);
          resolve(granted);
        }),
      ),
    renew: (holder, leases) =>
      leases.length === 0
        ? Promise.resolve(new Map<string, number>())
        : new Promise((resolve) =>
            pending.push(() => {
              for (const l of leases) slots.set(holder, l.slots);
              resolve(new Map());
            }),
          ),
    async releaseAll() {},
  };
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  /** Applies what is in flight, newest or oldest first, until nothing is left. */
  async function drain(order: 'newest' | 'oldest'): Promise<void> {
    await settle();
    while (pending.length > 0) {
      (order === 'newest' ? pending.pop() : pending.shift())!();
      await settle();
    }
  }
  return { repo, slots, drain };
}

describe('concurrency leases, a claim and a renewal in flight together', () => {
  it('a renewal that started before a claim never sets the lease below what the claim granted', async () => {
    const { repo, slots, drain } = reorderingRepo();
    const c = createConcurrency({ repo, log: silentLogger() });
    const first = c.acquire('acct', 'account', 2);
    await drain('oldest');
    expect(await first).not.toBeNull();
    // A renewal goes out (its count taken now: 1), then the second invocation claims a slot more;
    // the database applies the claim first.
    const renewed = c.renewNow();
    const second = c.acquire('acct', 'account', 2);
    await drain('newest');
    await renewed;
    expect(await second).not.toBeNull();
    // The process runs two: the database must count two, or another replica gets one of them.
    expect(slots.get(c.holder)).toBe(2);
  });

  it('a claim in flight when a renewal starts keeps its grant', async () => {
    const { repo, slots, drain } = reorderingRepo();
    const c = createConcurrency({ repo, log: silentLogger() });
    const first = c.acquire('acct', 'account', 2);
    await drain('oldest');
    await first;
    // The claim goes out, then a renewal (its count taken now: 1); the database applies the claim first.
    const second = c.acquire('acct', 'account', 2);
    const renewed = c.renewNow();
    await drain('oldest');
    await renewed;
    expect(await second).not.toBeNull();
    expect(slots.get(c.holder)).toBe(2);
  });
});
