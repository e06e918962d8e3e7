import { describe, expect, it } from 'vitest';
import { admin, newTenant } from '../helpers/app.js';
import { call, deploy, makeZip, NODE_ECHO, usageTotals, useFunctionsApp } from '../helpers/functions.js';

// Executors go stale after 1.5 s here, heartbeat every 300 ms, and the api re-reads the registry every 200 ms.
const t = useFunctionsApp({ executor: false, functions: { executors: { staleAfterMs: 1500, heartbeatIntervalMs: 300, refreshMs: 200 } } });
const adminKey = admin.authorization.slice(7);

describe('revoking one executor of the fleet', () => {
  it('takes it out for good while the other keeps running and billing every invocation exactly once', async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'fleet', makeZip([{ name: 'index.js', data: NODE_ECHO }]));
    // Usage waits in the spools until each executor flushes (every 100 ms).
    const fleet = [await t.startExecutor(), await t.startExecutor()];
    let billed = 0;
    for (let i = 0; i < 6; i++) {
      const r = await call(t.base, a.accountKey, 'POST', '/v1/functions/fleet/invoke', { i });
      expect(r.status, r.text).toBe(200);
      billed += Number(r.headers.get('x-tally-billed-duration-ms'));
    }
    await expect.poll(() => usageTotals(t.base, a.accountKey, 'fleet'), { timeout: 5000 }).toMatchObject({ requests: 6, billedMs: billed });
    // The function prefers one executor (its warm instance): that is the one revoked.
    const revoked = fleet.find((e) => e.stats().usageAcknowledged > 0)!;
    const kept = fleet.find((e) => e !== revoked)!;
    expect(kept.stats().usageAcknowledged).toBe(0);

    expect((await call(t.base, adminKey, 'DELETE', `/v1/executors/${revoked.id}`)).status).toBe(204);
    const listed = async () => (await call(t.base, adminKey, 'GET', '/v1/executors')).json.executors.map((e: { id: string }) => e.id);
    // It cannot register again with its revoked key (heartbeats get 401), so it stays out.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await listed()).toEqual([kept.id]);

    for (let i = 0; i < 4; i++) {
      const r = await call(t.base, a.accountKey, 'POST', '/v1/functions/fleet/invoke', { i });
      expect(r.status, r.text).toBe(200);
      billed += Number(r.headers.get('x-tally-billed-duration-ms'));
    }
    await expect
      .poll(() => usageTotals(t.base, a.accountKey, 'fleet'), { timeout: 5000 })
      .toMatchObject({ requests: 10, billedMs: billed });
    expect(kept.stats().usageAcknowledged).toBe(4);
    expect(kept.stats().usageQuarantined + revoked.stats().usageQuarantined).toBe(0);
  });
});
