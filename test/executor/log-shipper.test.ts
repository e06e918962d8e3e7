import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../executor/api-client.js';
import { createLogShipper, logBatches } from '../../executor/log-shipper.js';
import type { UsageEvent } from '../../executor/runtime/types.js';
import { UsageSpool, type SpoolRecord } from '../../executor/spool.js';
import { UsageReporter } from '../../executor/usage-reporter.js';
import type { InvocationLogs, SpooledLogs } from '../../src/contracts/logs.js';
import { segmentsWithRecords } from '../helpers/spool-files.js';
import { silentLog } from './helpers.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const usage = (): UsageEvent => ({
  invocationId: randomUUID(),
  accountId: randomUUID(),
  functionId: 'fn',
  architecture: 'x86_64',
  memoryMb: 128,
  durationMs: 1,
  startedAt: '2026-01-01T00:00:00.000Z',
  status: 'success',
});

const logsOf = (u: UsageEvent, text = 'hello'): SpooledLogs => ({
  kind: 'logs',
  requestId: u.invocationId,
  accountId: u.accountId,
  functionName: u.functionId,
  architecture: u.architecture,
  memoryMb: u.memoryMb,
  lines: [{ seq: 0, timestamp: 1, message: text }],
});

describe('log shipping', () => {
  it('splits records into batches by count and by size, never splitting one invocation', () => {
    const small = Array.from({ length: 2500 }, () => logsOf(usage()));
    expect(logBatches(small).map((b) => b.length)).toEqual([1000, 1000, 500]);
    const big = Array.from({ length: 5 }, () => logsOf(usage(), 'x'.repeat(1_500_000)));
    expect(logBatches(big).map((b) => b.length)).toEqual([2, 2, 1]);
  });

  it('drops a batch refused for good (400, 404) but throws on anything the api may take later', async () => {
    const answers: (() => never)[] = [
      () => {
        throw new ApiError(400, 'bad', 'VALIDATION_FAILED');
      },
      () => {
        throw new ApiError(503, 'busy', 'OVERLOADED');
      },
    ];
    const posted: InvocationLogs[][] = [];
    const shipper = createLogShipper({
      api: {
        postLogs: async (invocations) => {
          posted.push(invocations);
          answers.shift()?.();
          return { accepted: invocations.length, duplicates: 0, refused: 0 };
        },
      },
      log: silentLog,
    });
    await shipper.deliver([logsOf(usage())]);
    await expect(shipper.deliver([logsOf(usage())])).rejects.toThrow(/busy/);
    await shipper.deliver([logsOf(usage())]);
    expect(posted).toHaveLength(3);
    // What goes on the wire is the contract: no spool `kind`.
    expect(posted[0]![0]).not.toHaveProperty('kind');
    expect(shipper.acknowledged).toBe(1);
  });

  it('the reporter sends usage and logs of the same segment apart, and deletes the segment only once both were taken', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tally-log-shipper-'));
    const spool = await UsageSpool.open<SpoolRecord>({ dir, log: silentLog });
    const usagePosted: UsageEvent[][] = [];
    const logsPosted: InvocationLogs[][] = [];
    let logsUp = false;
    const api = {
      postUsage: async (events: UsageEvent[]) => {
        usagePosted.push(events);
        return { accepted: events.length, duplicates: 0, conflicts: 0 };
      },
      postQuarantine: async () => ({ stored: 0, duplicates: 0 }),
      postLogs: async (invocations: InvocationLogs[]) => {
        logsPosted.push(invocations);
        if (!logsUp) throw new Error('connection refused');
        return { accepted: invocations.length, duplicates: 0, refused: 0 };
      },
    };
    const reporter = new UsageReporter({
      spool,
      api,
      logs: createLogShipper({ api, log: silentLog }),
      log: silentLog,
      flushIntervalMs: 20,
      baseBackoffMs: 10,
      maxBackoffMs: 20,
    });
    cleanup.push(
      () => rmSync(dir, { recursive: true, force: true }),
      () => spool.close(),
      () => reporter.stop(Date.now()),
    );
    const segments = () => segmentsWithRecords(dir);
    const u = usage();
    await spool.append([u, logsOf(u)]);
    // The backlog counts usage records; the log lines travel beside theirs.
    expect(spool.stats().pendingRecords).toBe(1);
    reporter.start();
    await expect.poll(() => logsPosted.length, { timeout: 5000 }).toBeGreaterThan(1);
    // Usage went through (as a usage batch only), but the logs did not: the segment stays.
    expect(usagePosted[0]).toEqual([u]);
    expect(segments()).toHaveLength(1);
    logsUp = true;
    await expect.poll(() => segments().length, { timeout: 5000 }).toBe(0);
    expect(logsPosted.at(-1)![0]).toMatchObject({ requestId: u.invocationId, lines: [{ seq: 0, message: 'hello' }] });
  });
});
