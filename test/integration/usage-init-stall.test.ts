import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, newTenant } from '../helpers/app.js';
import { executorProcesses, exitOf } from '../helpers/executor-process.js';
import { call, deploy, makeZip, usageTotals, useFunctionsApp } from '../helpers/functions.js';

const t = useFunctionsApp({ executor: false });
const spawnExecutor = executorProcesses(t);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An init that never ends (the module blocks its thread for a minute without using the CPU). */
const HANGING_INIT = 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);\nexports.handler = async () => ({});\n';

describe('an init that timed out while the executor was stalled', () => {
  it('is billed at the 10 s init limit, not refused for the time the stall added', async () => {
    const dir = mkdtempSync(join(t.tmp, 'stall-'));
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'slowinit', makeZip([{ name: 'index.js', data: HANGING_INIT }]), { timeoutS: 30 });
    const executor = await spawnExecutor(dir, 100);

    const answer = call(t.base, a.accountKey, 'POST', '/v1/functions/slowinit/invoke', {});
    // The init timer is due about 10 s after the runtime was spawned. The executor's process is stopped
    // across that moment (as a busy machine, a VM's stolen time or a disk stall on the event loop would
    // hold it), so the timer runs late: the init it ends was stopped at its limit, and only its timer was late.
    await sleep(9_300);
    executor.kill('SIGSTOP');
    await sleep(3_700);
    executor.kill('SIGCONT');
    const r = await answer;
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get('x-tally-function-error')).toBeTruthy();
    expect(r.headers.get('x-tally-init-duration-ms')).toBe('10000');

    await expect
      .poll(() => usageTotals(t.base, a.accountKey, 'slowinit'), { timeout: 10_000 })
      .toMatchObject({ requests: 1, timeouts: 1, billedMs: 10_000 });
    const quarantined = await call(t.base, ADMIN_KEY, 'GET', `/v1/usage/quarantine?accountId=${a.id}`);
    expect(quarantined.json.entries).toEqual([]);
    executor.kill('SIGTERM');
    expect(await exitOf(executor)).toBe(0);
  }, 60_000);
});
