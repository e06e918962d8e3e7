import { describe, expect, it } from 'vitest';
import { newTenant } from '../helpers/app.js';
import { call, deploy, makeZip, NODE_ECHO, useFunctionsApp } from '../helpers/functions.js';

// Reserved concurrency is the function's, for every version and alias (docs/scaling.md). Found by a
// review on 2026-12-07: the api admitted by the latest setting, but the spec it sent the executor was the
// called version's, and the executor (executor/runtime/pool.ts) bounded instances by that again, from a
// spec it cached per version. A version made while the function was throttled stayed throttled there.
const t = useFunctionsApp();
const zip = makeZip([{ name: 'index.js', data: NODE_ECHO }]);

describe('reserved concurrency of earlier versions at the executor', () => {
  it('a version made while the function was throttled runs once the function is unthrottled (the latest setting governs every version)', async () => {
    const tenant = await newTenant(t.app);
    await deploy(t.base, tenant.accountKey, 'f', zip, { reservedConcurrency: 0 }); // version 1: throttled
    const patch = await call(t.base, tenant.accountKey, 'PATCH', '/v1/functions/f/configuration', { reservedConcurrency: null });
    expect(patch.status, patch.text).toBe(200); // version 2: no reservation
    const latest = await call(t.base, tenant.accountKey, 'POST', '/v1/functions/f/invoke', {});
    expect(latest.status, latest.text).toBe(200);
    // Lambda: PutFunctionConcurrency / DeleteFunctionConcurrency apply to the function, every version.
    const v1 = await call(t.base, tenant.accountKey, 'POST', '/v1/functions/f/invoke?version=1', {});
    expect(v1.status, v1.text).toBe(200);
  });

  it('an alias pinned to a version made with a low cap gets the raised reservation (two calls at once under a reservation of 3)', async () => {
    const tenant = await newTenant(t.app);
    const slow = makeZip([
      { name: 'index.js', data: 'exports.handler = async () => { await new Promise((r) => setTimeout(r, 1500)); return 1; };\n' },
    ]);
    await deploy(t.base, tenant.accountKey, 'g', slow, { reservedConcurrency: 1 }); // version 1: capped at 1
    // Called once under the low cap: the executor has version 1's spec cached with it.
    expect((await call(t.base, tenant.accountKey, 'POST', '/v1/functions/g/invoke?version=1', {})).status).toBe(200);
    const patch = await call(t.base, tenant.accountKey, 'PATCH', '/v1/functions/g/configuration', { reservedConcurrency: 3 });
    expect(patch.status, patch.text).toBe(200); // version 2: reservation of 3
    // Two calls of version 1 at once are within the function's reservation of 3.
    const both = await Promise.all([
      call(t.base, tenant.accountKey, 'POST', '/v1/functions/g/invoke?version=1', {}),
      call(t.base, tenant.accountKey, 'POST', '/v1/functions/g/invoke?version=1', {}),
    ]);
    expect(both.map((r) => `${r.status} ${r.status === 200 ? '' : r.text}`)).toEqual(['200 ', '200 ']);
  });
});
