import { afterEach, describe, expect, it } from 'vitest';
import { startAsyncWorker } from '../../src/jobs/async-worker.js';
import type { ClaimedEvent } from '../../src/modules/async/async.repository.js';
import type { AsyncService } from '../../src/modules/async/async.service.js';
import { silentLogger } from '../../src/lib/logger.js';

/*
 * The async worker (src/jobs/async-worker.ts) against docs/events.md: it renews its claims every third
 * of the lease, also while stop() waits for the events in flight, and a run whose outcome could not be
 * written does not end the process. A fake service: one event, renewals recorded. (Found by a review,
 * 2026-12-07.)
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fakeEvents(o: { leaseMs: number; run: (e: ClaimedEvent) => Promise<void> }) {
  const renewals: number[] = [];
  let handed = false;
  const events = {
    leaseMs: o.leaseMs,
    onQueued: () => {},
    claim: async () => {
      if (handed) return [];
      handed = true;
      return [{ id: 'e1', claimId: 'c1', accountId: 'a' } as unknown as ClaimedEvent];
    },
    run: o.run,
    renew: async () => {
      renewals.push(Date.now());
    },
    deliverDue: async () => ({ attempted: 0, delivered: 0 }),
  } as unknown as AsyncService;
  return { events, renewals };
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('async worker', () => {
  it('keeps renewing the claims of events still running while stop() waits for them', async () => {
    const leaseMs = 300; // renewed every 100 ms
    let running = false;
    const { events, renewals } = fakeEvents({
      leaseMs,
      run: async () => {
        running = true;
        await sleep(4 * leaseMs); // a run longer than the lease, as a 60 s function against the 30 s default
        running = false;
      },
    });
    const worker = startAsyncWorker({ events, log: silentLogger(), options: { pollMs: 20 } });
    while (!running) await sleep(10);
    const stopAt = Date.now();
    await worker.stop();
    // While the drain waited (4 leases), nothing renewed the claim: another replica claims the event
    // once its lease runs out and runs it a second time while this one is still running it.
    const duringDrain = renewals.filter((t) => t > stopAt);
    expect(duringDrain.length).toBeGreaterThan(0);
  });

  it('a run that rejects (its outcome could not be written) is not an unhandled rejection', async () => {
    const seen: unknown[] = [];
    // Take the process's handlers aside (vitest's among them) so that an unhandled rejection is
    // observed here instead of ending the run; in the api process it ends the process.
    const saved = process.listeners('unhandledRejection');
    process.removeAllListeners('unhandledRejection');
    const mine = (reason: unknown) => seen.push(reason);
    process.on('unhandledRejection', mine);
    cleanups.push(() => {
      process.off('unhandledRejection', mine);
      for (const l of saved) process.on('unhandledRejection', l);
    });
    const { events } = fakeEvents({
      leaseMs: 30_000,
      run: async () => {
        throw new Error('invalid byte sequence for encoding "UTF8": 0x00');
      },
    });
    const worker = startAsyncWorker({ events, log: silentLogger(), options: { pollMs: 20 } });
    await sleep(200);
    expect(seen).toEqual([]);
    await worker.stop().catch(() => {});
  });
});
