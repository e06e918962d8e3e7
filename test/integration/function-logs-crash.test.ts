import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { admin, newTenant } from '../helpers/app.js';
import { call, deploy, makeZip, useFunctionsApp } from '../helpers/functions.js';

const t = useFunctionsApp({ executor: false });
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

const segments = (dir: string) => readdirSync(join(dir, 'spool')).filter((n) => /^seg-\d+\.jsonl$/.test(n));

/** The executor as its own process, as in production: `node --import tsx executor/main.ts`. */
async function spawnExecutor(dir: string, flushMs: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'executor/main.ts'], {
    env: {
      ...process.env,
      TALLY_API_URL: t.base,
      TALLY_EXECUTOR_KEY: t.fleet,
      HOST: '127.0.0.1',
      PORT: '0',
      TALLY_EXECUTOR_DIR: dir,
      TALLY_USAGE_FLUSH_MS: String(flushMs),
      TALLY_EXECUTOR_CAPACITY: '4',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`executor exited with ${child.exitCode}`);
    const id = existsSync(join(dir, 'executor-id')) ? readFileSync(join(dir, 'executor-id'), 'utf8').trim() : null;
    const list = (await call(t.base, admin.authorization.slice(7), 'GET', '/v1/executors')).json.executors as {
      id: string;
      startedAt: string;
    }[];
    if (id && list.some((e) => e.id === id && Date.parse(e.startedAt) >= started - 1000)) return child;
    if (Date.now() - started > 20_000) throw new Error('the executor did not register within 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)),
  );

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
      .map((name) => readFileSync(join(dir, 'spool', name), 'utf8'))
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
