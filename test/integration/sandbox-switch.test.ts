import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, newTenant } from '../helpers/app.js';
import { call, deploy, makeZip, useFunctionsApp } from '../helpers/functions.js';

const t = useFunctionsApp({ executor: false });
const WHO = 'exports.handler = async () => ({ uid: process.getuid() });\n';

describe('the TALLY_SANDBOX switch', () => {
  it('runs functions sandboxed by default, and says so in /readyz and GET /v1/executors', async () => {
    const executor = await t.startExecutor();
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'who', makeZip([{ name: 'index.js', data: WHO }]));
    const r = await call(t.base, a.accountKey, 'POST', '/v1/functions/who/invoke', {});
    expect(r.status, r.text).toBe(200);
    expect(r.json.uid).toBeGreaterThanOrEqual(1_000_000_000);
    const ready = await call(t.base, '', 'GET', '/readyz');
    expect(ready.json).toMatchObject({ status: 'ready', sandbox: 'on' });
    const list = await call(t.base, ADMIN_KEY, 'GET', '/v1/executors');
    expect(list.json.executors.find((e: { id: string }) => e.id === executor.id)).toMatchObject({ sandbox: 'on' });
    await executor.stop();
  });

  it('TALLY_SANDBOX=off is visible everywhere an operator looks: /readyz, GET /v1/executors', async () => {
    const executor = await t.startExecutor({ sandbox: { enabled: false } });
    expect(executor.stats().sandbox).toBe('off');
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'who-off', makeZip([{ name: 'index.js', data: WHO }]));
    const r = await call(t.base, a.accountKey, 'POST', '/v1/functions/who-off/invoke', {});
    // What the switch means: the function runs as the executor's own user (here root).
    expect(r.json.uid).toBe(process.getuid!());
    const ready = await call(t.base, '', 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json).toMatchObject({ status: 'ready', sandbox: 'off' });
    expect(ready.json.detail).toContain(executor.id);
    expect(ready.json.detail).toMatch(/UNSANDBOXED/);
    const list = await call(t.base, ADMIN_KEY, 'GET', '/v1/executors');
    expect(list.json.executors.find((e: { id: string }) => e.id === executor.id)).toMatchObject({ sandbox: 'off' });
    await executor.stop();
  });
});
