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
      return new Set<string>();
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
      return new Set();
    };
    const c = createConcurrency({ repo, log: silentLogger() });
    const a = await c.acquire('acct', 'account', 100);
    const b = await c.acquire('acct', 'account', 100);
    a!();
    await c.renewNow(); // peak 2 since the last renewal: keeps 2 + a spare block (it holds 10)
    expect(leases.at(-1)).toEqual([{ accountId: 'acct', scope: 'account', slots: 10 }]);
    await c.renewNow(); // peak 1 now
    expect(leases.at(-1)).toEqual([{ accountId: 'acct', scope: 'account', slots: 10 }]);
    b!();
    await c.renewNow();
    await c.renewNow(); // idle for a whole period: everything goes back
    expect(leases.at(-1)).toEqual([{ accountId: 'acct', scope: 'account', slots: 0 }]);
  });

  it('claims again when a renewal finds its lease expired (the process could not renew in time)', async () => {
    const { repo, calls } = fakeRepo();
    repo.renew = async () => new Set(['acct/account']);
    const c = createConcurrency({ repo, log: silentLogger() });
    const running = await c.acquire('acct', 'account', 100);
    await c.renewNow(); // the lease was gone: this process holds nothing in the database any more
    expect(calls.claim).toBe(1);
    const next = await c.acquire('acct', 'account', 100);
    expect(next).not.toBeNull();
    expect(calls.claim).toBe(2);
    running!();
    next!();
  });
});
