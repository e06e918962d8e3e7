import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { createConcurrency } from '../../src/modules/limits/concurrency.js';
import { createConcurrencyRepository } from '../../src/modules/limits/concurrency.repository.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(async () => {
  await tdb?.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Found by a review on 2026-12-07: invocations still running under an expired lease were never counted again.

describe('concurrency leases on the real database', () => {
  it('invocations still running when their lease expired are counted again once the replica can renew', async () => {
    const real = createConcurrencyRepository(tdb.db);
    // Replica A loses the database for a while (its renewals fail), then gets it back.
    let cutOff = false;
    const aRepo = {
      ...real,
      renew: (...args: Parameters<typeof real.renew>) => (cutOff ? Promise.reject(new Error('connection lost')) : real.renew(...args)),
    };
    const options = { leaseTtlMs: 400, renewMs: 50 };
    const a = createConcurrency({ repo: aRepo, log: silentLogger(), options });
    const b = createConcurrency({ repo: real, log: silentLogger(), options });
    const account = randomUUID();
    try {
      // A runs 2 long invocations: the whole limit.
      const a1 = await a.acquire(account, 'account', 2);
      const a2 = await a.acquire(account, 'account', 2);
      expect(a1 && a2).toBeTruthy();
      expect(await b.acquire(account, 'account', 2)).toBeNull();

      cutOff = true;
      await a.renewNow().catch(() => undefined);
      await sleep(600); // A's lease expires
      // During the cut-off B may take the expired slots: the documented trade-off of a lease.
      const b1 = await b.acquire(account, 'account', 2);
      expect(b1).not.toBeNull();

      // A is back; its two invocations still run (a 15-minute function).
      cutOff = false;
      for (let i = 0; i < 3; i++) await a.renewNow();
      // Running: A 2 + B 1 = 3 of a limit of 2. Once A renews again, B must not be given yet another slot.
      const b2 = await b.acquire(account, 'account', 2);
      b2?.();
      b1?.();
      a1?.();
      a2?.();
      expect(b2).toBeNull();
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
