import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createExecutorMetrics } from '../../executor/invoke-server.js';
import type { UsageEvent } from '../../executor/runtime/types.js';
import { UsageSpool } from '../../executor/spool.js';
import { silentLog } from './helpers.js';

const dirs: string[] = [];
const spools: UsageSpool[] = [];

afterEach(async () => {
  await Promise.all(spools.splice(0).map((s) => s.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function openSpool(dir?: string): Promise<{ spool: UsageSpool; dir: string }> {
  const where = dir ?? mkdtempSync(path.join(os.tmpdir(), 'tally-spool-backlog-'));
  if (!dir) dirs.push(where);
  const spool = await UsageSpool.open({ dir: where, log: silentLog });
  spools.push(spool);
  return { spool, dir: where };
}

const usage = (n: number): UsageEvent => ({
  invocationId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  accountId: 'acct-1',
  functionId: 'fn-1',
  architecture: 'x86_64',
  memoryMb: 128,
  durationMs: 1,
  startedAt: '2026-01-01T00:00:00.000Z',
  status: 'success',
});

const gauge = async (spool: UsageSpool, name: string) => {
  const text = await createExecutorMetrics(spool).registry.getSingleMetricAsString(name);
  return Number(/ ([\d.e+-]+)$/m.exec(text)![1]);
};

describe('the usage spool backlog', () => {
  it('counts records until the api acknowledged them, and ages the oldest', async () => {
    const { spool } = await openSpool();
    expect(spool.stats()).toMatchObject({ pendingRecords: 0, oldestPendingAgeMs: 0 });
    await spool.append([usage(1), usage(2)]);
    await new Promise((r) => setTimeout(r, 120));
    await spool.append([usage(3)]);
    expect(spool.stats().pendingRecords).toBe(3);
    expect(spool.stats().oldestPendingAgeMs).toBeGreaterThanOrEqual(100);
    expect(await gauge(spool, 'tally_executor_usage_spool_pending_records')).toBe(3);
    expect(await gauge(spool, 'tally_executor_usage_spool_oldest_record_age_seconds')).toBeGreaterThanOrEqual(0.1);

    const pending = await spool.readPending();
    expect(spool.stats().pendingRecords).toBe(3); // read is not acknowledged
    await spool.append([usage(4)]);
    await spool.ack(pending.map((s) => s.segmentId));
    expect(spool.stats().pendingRecords).toBe(1);
    expect(spool.stats().oldestPendingAgeMs).toBeLessThan(100);
    await spool.ack((await spool.readPending()).map((s) => s.segmentId));
    expect(spool.stats()).toMatchObject({ pendingRecords: 0, oldestPendingAgeMs: 0 });
    expect(await gauge(spool, 'tally_executor_usage_spool_oldest_record_age_seconds')).toBe(0);
  });

  it('finds what an earlier run left unacknowledged', async () => {
    const first = await openSpool();
    await first.spool.append([usage(1), usage(2)]);
    await first.spool.append([usage(3)]);
    await first.spool.close();
    spools.splice(spools.indexOf(first.spool), 1);
    const { spool } = await openSpool(first.dir);
    expect(spool.stats().pendingRecords).toBe(3);
    expect(spool.stats().oldestPendingAgeMs).toBeGreaterThanOrEqual(0);
  });
});
