import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createExecutorMetrics, createInvokeServer } from '../../executor/invoke-server.js';
import type { InvocationResult, UsageEvent } from '../../executor/runtime/types.js';
import { UsageSpool } from '../../executor/spool.js';
import { invokeSpec, silentLog } from './helpers.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const diskFull = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

const spec = invokeSpec({ dispatchToken: 'v1.3.token' });

/** The invoke server in front of a pool that "runs" instantly and a spool whose writes a test controls. */
function harness(spool: { append: (records: UsageEvent[], opts?: { alone?: boolean }) => Promise<void>; accepting: () => boolean }) {
  const runs: string[] = [];
  const pool = {
    invoke: async (_fn: unknown, _event: Buffer, requestId: string): Promise<InvocationResult> => {
      runs.push(requestId);
      return {
        requestId,
        status: 'success',
        payload: Buffer.from('"ok"'),
        durationMs: 5,
        billedDurationMs: 5,
        maxMemoryUsedMb: 10,
        log: 'REPORT',
      };
    },
    stats: () => ({ instances: 0, busy: 0 }),
  };
  const metrics = createExecutorMetrics();
  const front = createInvokeServer({
    token: 'x'.repeat(40),
    pool,
    spool,
    metrics,
    log: silentLog,
  });
  const invoke = async () => {
    const requestId = randomUUID();
    const answer = await front.local({ spec: Buffer.from(JSON.stringify(spec)), event: Buffer.from('{}'), requestId, logTail: false });
    return { requestId, status: answer.status, body: JSON.parse(answer.body.toString()) as { error?: { code: string } } };
  };
  return { front, metrics, runs, invoke };
}

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tally-spool-full-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('a usage record the spool cannot write is never lost silently', () => {
  it('answers the invocation that ran, holds its record, refuses new invocations (503) until the record is written', async () => {
    const written: UsageEvent[] = [];
    let failing = 2;
    const spool = {
      append: async (records: UsageEvent[]) => {
        if (failing > 0) {
          failing -= 1;
          throw diskFull();
        }
        written.push(...records);
      },
      accepting: () => true,
    };
    const h = harness(spool);
    const ran = await h.invoke();
    expect(ran.status).toBe(200);
    expect(h.front.held()).toBe(1);
    expect(await h.metrics.registry.getSingleMetricAsString('tally_executor_usage_spool_write_failures_total')).toMatch(/ 1$/);

    const refused = await h.invoke();
    expect([refused.status, refused.body.error?.code]).toEqual([503, 'SPOOL_UNAVAILABLE']);
    expect(h.runs).toEqual([ran.requestId]);

    // Its health says so, and its metrics count the held record and the refusal.
    await new Promise<void>((resolve) => h.front.server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => h.front.server.close(resolve)));
    const base = `http://127.0.0.1:${(h.front.server.address() as AddressInfo).port}`;
    expect(await (await fetch(`${base}/healthz`)).json()).toMatchObject({ status: 'degraded', usage: { unspooled: 1 } });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^tally_executor_usage_unspooled 1$/m);
    expect(metrics).toMatch(/^tally_executor_invocations_refused_total\{reason="spool_unavailable"\} 1$/m);

    // Retried with backoff (the second attempt fails too) until written; then invocations run again.
    await expect.poll(() => written.map((r) => r.invocationId), { timeout: 5000 }).toEqual([ran.requestId]);
    expect(written[0]).toMatchObject({ accountId: spec.accountId, functionId: 'fn', dispatchToken: 'v1.3.token' });
    expect(h.front.held()).toBe(0);
    const again = await h.invoke();
    expect(again.status).toBe(200);
    expect(written.map((r) => r.invocationId)).toEqual([ran.requestId, again.requestId]);
  });

  it('refuses to run (503) when the spool says it has no room, before anything runs', async () => {
    const h = harness({ append: async () => undefined, accepting: () => false });
    const r = await h.invoke();
    expect([r.status, r.body.error?.code]).toEqual([503, 'SPOOL_UNAVAILABLE']);
    expect(h.runs).toEqual([]);
  });

  it('logs what is still held at shutdown rather than dropping it', async () => {
    const lines: unknown[] = [];
    const log = {
      ...silentLog,
      error: (o: unknown) => void lines.push(o),
      warn: () => undefined,
      info: () => undefined,
      debug: () => undefined,
    } as unknown as typeof silentLog;
    const front = createInvokeServer({
      token: 'x'.repeat(40),
      pool: {
        invoke: async (_f, _e, requestId) => ({
          requestId,
          status: 'success',
          payload: Buffer.from('1'),
          durationMs: 1,
          billedDurationMs: 1,
          maxMemoryUsedMb: 1,
          log: '',
        }),
        stats: () => ({ instances: 0, busy: 0 }),
      },
      spool: {
        append: async () => {
          throw diskFull();
        },
        accepting: () => true,
      },
      metrics: createExecutorMetrics(),
      log,
    });
    const requestId = randomUUID();
    expect(
      (await front.local({ spec: Buffer.from(JSON.stringify(spec)), event: Buffer.from('{}'), requestId, logTail: false })).status,
    ).toBe(200);
    await front.flushHeld(Date.now() + 300);
    expect(JSON.stringify(lines.at(-1))).toContain(requestId);
  });
});

describe('usage spool: room for the records of invocations that run', () => {
  it('is not accepting below the free-space margin, and is again once there is room', async () => {
    let free = 10;
    const spool = await UsageSpool.open({
      dir: tempDir(),
      log: silentLog,
      minFreeBytes: 1000,
      checkIntervalMs: 10,
      freeBytes: async () => free,
    });
    cleanup.push(() => spool.close());
    expect(spool.accepting()).toBe(false);
    free = 1_000_000;
    await expect.poll(() => spool.accepting(), { timeout: 2000 }).toBe(true);
  });

  it('gives up its reserve when the disk is full, so the record lands; takes no new work until the reserve is back', async () => {
    const dir = tempDir();
    const spoolDir = path.join(dir, 'spool');
    let free = 1_000_000;
    const spool = await UsageSpool.open({
      dir: spoolDir,
      log: silentLog,
      reserveBytes: 64 * 1024,
      checkIntervalMs: 10,
      freeBytes: async () => free,
    });
    cleanup.push(() => spool.close());
    expect(statSync(`${spoolDir}.reserve`).size).toBe(64 * 1024);
    expect(spool.accepting()).toBe(true);
    // The next segment is a full disk (writes to /dev/full fail with ENOSPC), as if the disk filled up.
    symlinkSync('/dev/full', path.join(spoolDir, 'seg-000000000001.jsonl'));
    free = 0;
    const record: UsageEvent = {
      invocationId: randomUUID(),
      accountId: randomUUID(),
      functionId: 'fn',
      architecture: 'arm64',
      memoryMb: 128,
      durationMs: 1,
      startedAt: new Date().toISOString(),
      status: 'success',
    };
    await spool.append([record]);
    expect(existsSync(`${spoolDir}.reserve`)).toBe(false);
    expect(spool.accepting()).toBe(false);
    expect(readdirSync(spoolDir)).not.toContain('seg-000000000001.jsonl');
    expect((await spool.readPending()).flatMap((s) => s.records)).toEqual([record]);
    expect(spool.stats()).toMatchObject({ writeFailures: 0, reserveHeld: false });
    free = 1_000_000;
    await expect.poll(() => spool.accepting(), { timeout: 2000 }).toBe(true);
    expect(statSync(`${spoolDir}.reserve`).size).toBe(64 * 1024);
  });

  it('without a reserve, fails the append (the caller holds the record) and never glues a record onto a torn line', async () => {
    const dir = tempDir();
    const spool = await UsageSpool.open({ dir, log: silentLog });
    cleanup.push(() => spool.close());
    symlinkSync('/dev/full', path.join(dir, 'seg-000000000001.jsonl'));
    const record = (n: number): UsageEvent => ({
      invocationId: randomUUID(),
      accountId: randomUUID(),
      functionId: `fn-${n}`,
      architecture: 'arm64',
      memoryMb: 128,
      durationMs: n,
      startedAt: new Date().toISOString(),
      status: 'success',
    });
    await expect(spool.append([record(1)])).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(spool.stats().writeFailures).toBe(1);
    const second = record(2);
    await spool.append([second]);
    expect((await spool.readPending()).flatMap((s) => s.records)).toEqual([second]);
  });
});

describe('the invoke server and the write on the spot', () => {
  it('lets the spool write on the spot only for an invocation alone in flight', async () => {
    const seen: boolean[] = [];
    const h = harness({
      append: async (_records, opts) => {
        seen.push(opts?.alone === true);
      },
      accepting: () => true,
    });
    expect((await h.invoke()).status).toBe(200);
    expect(seen).toEqual([true]);
    // Two at once: the first to finish had the other in flight beside it.
    const both = await Promise.all([h.invoke(), h.invoke()]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    expect(seen[1]).toBe(false);
  });
});
