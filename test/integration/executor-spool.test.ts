import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newTenant } from '../helpers/app.js';
import { isAlive, processesOf } from '../executor/helpers.js';
import { executorProcesses, exitOf, spoolSegments } from '../helpers/executor-process.js';
import { call, deploy, makeZip, NODE_ECHO, usageTotals, useFunctionsApp } from '../helpers/functions.js';

const t = useFunctionsApp({ executor: false });
const spawnExecutor = executorProcesses(t);
const segments = spoolSegments;
const exited = exitOf;

describe('usage spool across an executor crash', () => {
  it('loses nothing when the executor is SIGKILLed between spooling and flushing, and counts nothing twice on replay', async () => {
    const dir = mkdtempSync(join(t.tmp, 'crash-'));
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'crash', makeZip([{ name: 'index.js', data: NODE_ECHO }]), { memoryMb: 256 });

    // Flushes only once an hour: every usage record stays in the spool.
    let executor = await spawnExecutor(dir, 3_600_000);
    let billed = 0;
    let uid = 0;
    for (let i = 0; i < 5; i++) {
      const r = await call(t.base, a.accountKey, 'POST', '/v1/functions/crash/invoke', { i });
      expect(r.status, r.text).toBe(200);
      billed += Number(r.headers.get('x-tally-billed-duration-ms'));
      uid = r.json.uid;
    }
    expect(segments(dir).length).toBeGreaterThan(0);
    expect((await usageTotals(t.base, a.accountKey, 'crash')).requests).toBe(0);

    const sandboxed = processesOf(uid);
    expect(sandboxed.length).toBeGreaterThan(0);
    executor.kill('SIGKILL');
    await exited(executor);
    // The sandbox dies with its executor (bwrap's monitor and pid 1 die with their parent).
    await expect.poll(() => sandboxed.filter(isAlive), { timeout: 5000 }).toEqual([]);
    const snapshot = new Map(segments(dir).map((name) => [name, readFileSync(join(dir, 'spool', name))]));

    // Restarted on the same folder, it replays the spool at once.
    executor = await spawnExecutor(dir, 100);
    await expect
      .poll(() => usageTotals(t.base, a.accountKey, 'crash'), { timeout: 10_000 })
      .toMatchObject({ requests: 5, billedMs: billed });
    await expect.poll(() => segments(dir).length, { timeout: 5000 }).toBe(0);

    // As if the api's acknowledgements had been lost: the same segments come back and are sent again.
    executor.kill('SIGTERM');
    expect(await exited(executor)).toBe(0);
    for (const [name, bytes] of snapshot) writeFileSync(join(dir, 'spool', name), bytes);
    executor = await spawnExecutor(dir, 100);
    await expect.poll(() => segments(dir).length, { timeout: 10_000 }).toBe(0);
    expect(await usageTotals(t.base, a.accountKey, 'crash')).toMatchObject({ requests: 5, billedMs: billed });

    // And it still runs functions after all that.
    const again = await call(t.base, a.accountKey, 'POST', '/v1/functions/crash/invoke', { i: 6 });
    expect(again.status).toBe(200);
    executor.kill('SIGTERM');
    expect(await exited(executor)).toBe(0);
    expect(await usageTotals(t.base, a.accountKey, 'crash')).toMatchObject({ requests: 6 });
  }, 60_000);

  it('refuses to start on a bad setting, naming the variable, and on a key that is not a platform executor key', async () => {
    const run = (env: Record<string, string>) =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'executor/main.ts'], {
          env: {
            ...process.env,
            TALLY_API_URL: t.base,
            TALLY_EXECUTOR_KEY: t.fleet,
            PORT: '0',
            TALLY_EXECUTOR_DIR: mkdtempSync(join(t.tmp, 'bad-')),
            LOG_LEVEL: 'silent',
            ...env,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout!.on('data', (d) => (output += d));
        child.stderr!.on('data', (d) => (output += d));
        child.once('exit', (code) => resolve({ code, output }));
      });
    const capacity = await run({ TALLY_EXECUTOR_CAPACITY: 'lots' });
    expect(capacity.code).toBe(2);
    expect(capacity.output).toContain('TALLY_EXECUTOR_CAPACITY: must be a whole number');
    const url = await run({ TALLY_API_URL: 'ftp://x' });
    expect(url.output).toContain('TALLY_API_URL: must start with http:// or https://');
    const a = await newTenant(t.app);
    const scoped = await run({ TALLY_EXECUTOR_KEY: a.executorKey });
    expect(scoped.code).toBe(1);
    expect(scoped.output).toMatch(/refused TALLY_EXECUTOR_KEY.*platform-wide executor key/);
  }, 30_000);
});
