import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newTenant } from '../helpers/app.js';
import { executorProcesses, exitOf, spoolSegments } from '../helpers/executor-process.js';
import { call, deploy, makeZip, useFunctionsApp } from '../helpers/functions.js';
import { segmentText } from '../helpers/spool-files.js';

const t = useFunctionsApp({ executor: false });
const spawnExecutor = executorProcesses(t);
const segments = spoolSegments;
const exited = exitOf;

const MARKED = "exports.handler = async (event) => { console.log('marker', event.i); return { ok: true }; };\n";

describe('function logs across an executor crash', () => {
  it('loses no line of an invocation that ended before a SIGKILL, and stores each once however often it is resent', async () => {
    const dir = mkdtempSync(join(t.tmp, 'crash-'));
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'marked', makeZip([{ name: 'index.js', data: MARKED }]));
    const lines = async () => {
      const r = await call(t.base, a.accountKey, 'GET', '/v1/functions/marked/logs?limit=1000');
      expect(r.status, r.text).toBe(200);
      return r.json.events as { requestId: string; message: string }[];
    };

    // Flushes once an hour: every invocation's lines stay in the spool, beside its usage record.
    let executor = await spawnExecutor(dir, 3_600_000);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await call(t.base, a.accountKey, 'POST', '/v1/functions/marked/invoke', { i });
      expect(r.status, r.text).toBe(200);
      ids.push(r.headers.get('x-tally-request-id')!);
    }
    const spooled = segments(dir)
      .map((name) => segmentText(join(dir, 'spool', name)))
      .join('');
    const records = spooled
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind?: string; requestId?: string; invocationId?: string });
    // Each invocation's usage record is followed by its log record: written together, under one fsync.
    expect(records.map((r) => r.kind ?? 'usage')).toEqual(['usage', 'logs', 'usage', 'logs', 'usage', 'logs']);
    expect(records.filter((r) => r.kind === 'logs').map((r) => r.requestId)).toEqual(ids);
    expect(await lines()).toEqual([]);

    executor.kill('SIGKILL');
    await exited(executor);
    const snapshot = new Map(segments(dir).map((name) => [name, readFileSync(join(dir, 'spool', name))]));

    // Restarted on the same folder, it sends what the spool holds.
    executor = await spawnExecutor(dir, 100);
    await expect.poll(async () => (await lines()).filter((e) => e.message.startsWith('REPORT ')).length, { timeout: 15_000 }).toBe(3);
    await expect.poll(() => segments(dir).length, { timeout: 5000 }).toBe(0);
    const first = await lines();
    for (const [i, id] of ids.entries()) {
      const mine = first.filter((e) => e.requestId === id).map((e) => e.message);
      expect(mine[0]).toMatch(/^START /);
      expect(mine.filter((m) => m.endsWith(`INFO\tmarker ${i}`))).toHaveLength(1);
      expect(mine.slice(-2).map((m) => m.split(' ')[0])).toEqual(['END', 'REPORT']);
    }

    // As if the acknowledgement had been lost: the same segments come back and are sent again.
    executor.kill('SIGTERM');
    expect(await exited(executor)).toBe(0);
    for (const [name, bytes] of snapshot) writeFileSync(join(dir, 'spool', name), bytes);
    executor = await spawnExecutor(dir, 100);
    await expect.poll(() => segments(dir).length, { timeout: 10_000 }).toBe(0);
    expect(await lines()).toEqual(first);
    executor.kill('SIGTERM');
    expect(await exited(executor)).toBe(0);
  }, 90_000);
});
