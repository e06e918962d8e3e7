import { afterEach, describe, expect, it } from 'vitest';
import { bearer, newTenant } from '../helpers/app.js';
import { b64, makeZip, NODE_ECHO } from '../helpers/functions.js';
import { useHoldingExecutor } from '../helpers/holding-executor.js';
import { useReplicas } from '../helpers/replicas.js';

// docs/scaling.md, "Reserved concurrency": the account as a whole never runs more than its limit.
// Found by a review on 2026-12-07: a reserved function drew on its own scope only, and a reservation is
// checked against the other reservations, not against what runs now; reserving while the unreserved
// functions filled the account let it run its limit plus the new reservation at once. Every invocation
// now also takes a slot of the account's whole limit.
const t = useReplicas(1, {
  functions: { accountConcurrency: 4, minUnreservedConcurrency: 1, executors: { refreshMs: 100 } },
  concurrency: { renewMs: 100, leaseTtlMs: 3_000 },
});
const app = () => t.replicas[0]!.app;
const { held, releaseAll, waitHeld } = useHoldingExecutor(app);
const zipFile = b64(makeZip([{ name: 'index.js', data: NODE_ECHO }]));

const invoke = (key: string, name: string) =>
  app().inject({ method: 'POST', url: `/v1/functions/${name}/invoke`, headers: bearer(key), payload: {} });

/** Admitted (held by the executor) or refused right away: 'held' or the status code. */
async function outcome(p: ReturnType<typeof invoke>): Promise<'held' | number> {
  const raced = await Promise.race([p, new Promise((resolve) => setTimeout(resolve, 500, null))]);
  return raced === null ? 'held' : (raced as { statusCode: number }).statusCode;
}

describe('the account never runs more than its concurrency limit', () => {
  afterEach(async () => {
    releaseAll();
    await waitHeld(0);
  });

  it('a reservation made while the unreserved functions fill the account does not add slots on top of the limit', async () => {
    const tenant = await newTenant(app());
    for (const name of ['other', 'reserved']) {
      const r = await app().inject({
        method: 'POST',
        url: '/v1/functions',
        headers: bearer(tenant.accountKey),
        payload: { name, runtime: 'nodejs', zipFile },
      });
      expect(r.statusCode, r.body).toBe(201);
    }
    // The whole limit (4) runs unreserved.
    const running = [0, 1, 2, 3].map(() => invoke(tenant.accountKey, 'other'));
    await waitHeld(4);
    // Allowed (4 - 3 leaves the minimum of 1), as on Lambda.
    const reserve = await app().inject({
      method: 'PATCH',
      url: '/v1/functions/reserved/configuration',
      headers: bearer(tenant.accountKey),
      payload: { reservedConcurrency: 3 },
    });
    expect(reserve.statusCode, reserve.body).toBe(200);
    const extra = [invoke(tenant.accountKey, 'reserved'), invoke(tenant.accountKey, 'reserved'), invoke(tenant.accountKey, 'reserved')];
    const outcomes = await Promise.all(extra.map(outcome));
    const atOnce = held.length;
    releaseAll();
    await Promise.all([...running, ...extra]);
    // 4 is the account's limit: the reserved function gets its slots as the unreserved calls end, not beside them.
    expect({ atOnce, outcomes }).toEqual({ atOnce: 4, outcomes: [429, 429, 429] });
  });
});
