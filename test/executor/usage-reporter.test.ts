import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../executor/api-client.js';
import type { UsageEvent } from '../../executor/runtime/types.js';
import { UsageSpool } from '../../executor/spool.js';
import { UsageReporter } from '../../executor/usage-reporter.js';
import { segmentsWithRecords } from '../helpers/spool-files.js';
import { silentLog } from './helpers.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function usage(n: number): UsageEvent {
  return {
    invocationId: randomUUID(),
    accountId: randomUUID(),
    functionId: `fn-${n}`,
    architecture: 'x86_64',
    memoryMb: 128,
    durationMs: n,
    startedAt: '2026-01-01T00:00:00.000Z',
    status: 'success',
  };
}

async function setUp(answers: ((events: UsageEvent[]) => void)[]) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tally-reporter-'));
  const spool = await UsageSpool.open({ dir, log: silentLog });
  const posted: UsageEvent[][] = [];
  const quarantined: { event: unknown; reason: string }[][] = [];
  let counted = 0;
  const api = {
    postUsage: async (events: UsageEvent[]) => {
      posted.push(events);
      (answers.shift() ?? (() => undefined))(events);
      return { accepted: events.length, duplicates: 0, conflicts: 0 };
    },
    postQuarantine: async (entries: { event: unknown; reason: string }[]) => {
      quarantined.push(entries);
      return { stored: entries.length, duplicates: 0 };
    },
  };
  const reporter = new UsageReporter({
    spool,
    api,
    log: silentLog,
    flushIntervalMs: 20,
    baseBackoffMs: 10,
    maxBackoffMs: 20,
    onQuarantined: (n) => (counted += n),
  });
  cleanup.push(
    () => rmSync(dir, { recursive: true, force: true }),
    () => spool.close(),
    () => reporter.stop(Date.now()),
  );
  // Segments holding records (the spool keeps a zeroed one ready for the next appends).
  const segments = () => segmentsWithRecords(dir);
  return { dir, spool, reporter, posted, quarantined, segments, counted: () => counted };
}

describe('usage reporter: a refused event never drops the others', () => {
  it('resends the good events at once, quarantines only those the api named, and hands them to the api', async () => {
    const refuse = (status: number, code: string, indices: number[]) => () => {
      throw new ApiError(
        status,
        `${code}`,
        code,
        indices.map((index) => ({ index, field: 'f', reason: code, message: `bad ${index}` })),
      );
    };
    const s = await setUp([refuse(400, 'VALIDATION_FAILED', [1]), refuse(403, 'DISPATCH_TOKEN_INVALID', [2])]);
    const events = [0, 1, 2, 3, 4].map(usage);
    await s.spool.append(events);
    s.reporter.start();
    await expect.poll(() => s.segments().length, { timeout: 3000 }).toBe(0);
    // Round 1: all five; round 2: without events[1]; round 3: without the one now at index 2 (events[3]).
    expect(s.posted.map((b) => b.map((e) => e.functionId))).toEqual([
      ['fn-0', 'fn-1', 'fn-2', 'fn-3', 'fn-4'],
      ['fn-0', 'fn-2', 'fn-3', 'fn-4'],
      ['fn-0', 'fn-2', 'fn-4'],
    ]);
    await expect.poll(() => s.quarantined.flat().length, { timeout: 3000 }).toBe(2);
    const handed = s.quarantined.flat();
    expect(handed.map((q) => q.event)).toEqual([events[1], events[3]]);
    expect(handed[0]!.reason).toMatch(/^VALIDATION_FAILED: f: bad 1/);
    expect(handed[1]!.reason).toMatch(/^DISPATCH_TOKEN_INVALID: f: bad 2/);
    expect(s.counted()).toBe(2);
    await expect.poll(() => s.spool.stats().quarantineWaiting).toBe(0);
    expect(readdirSync(path.join(s.dir, 'quarantine'))).toEqual([]);
  });

  it('keeps quarantined events on disk while the api cannot take them, and survives a restart', async () => {
    const s = await setUp([]);
    const refusedEvent = usage(7);
    await s.spool.append([refusedEvent]);
    const down = new UsageReporter({
      spool: s.spool,
      api: {
        postUsage: async () => {
          throw new ApiError(400, 'bad', 'VALIDATION_FAILED', [{ index: 0, message: 'no' }]);
        },
        postQuarantine: async () => {
          throw new Error('ECONNREFUSED');
        },
      },
      log: silentLog,
      flushIntervalMs: 20,
    });
    down.start();
    await expect.poll(() => s.segments().length, { timeout: 3000 }).toBe(0);
    await down.stop(Date.now());
    expect(s.spool.stats().quarantineWaiting).toBe(1);
    await s.spool.close();
    const reopened = await UsageSpool.open({ dir: s.dir, log: silentLog });
    cleanup.push(() => reopened.close());
    const files = await reopened.readQuarantine();
    expect(files.flatMap((f) => f.entries.map((e) => e.event))).toEqual([refusedEvent]);
    expect(reopened.stats().quarantineWaiting).toBe(1);
  });

  it.each([
    { name: 'a revoked key (401)', err: () => new ApiError(401, 'revoked', 'UNAUTHENTICATED') },
    { name: 'a key bound to no executor (403, no details)', err: () => new ApiError(403, 'unbound', 'EXECUTOR_NOT_REGISTERED') },
    {
      name: 'a 400 that names no event',
      err: () => new ApiError(400, 'bad batch', 'VALIDATION_FAILED', [{ field: 'events', message: 'must NOT have more than 10000 items' }]),
    },
    { name: 'details whose index is out of range', err: () => new ApiError(400, 'bad', 'VALIDATION_FAILED', [{ index: 9, message: 'x' }]) },
  ])('sets nothing aside on $name: keeps the segment and retries with backoff', async ({ err }) => {
    let failures = 0;
    const s = await setUp(
      Array.from({ length: 4 }, () => () => {
        failures += 1;
        throw err();
      }),
    );
    await s.spool.append([usage(1), usage(2)]);
    s.reporter.start();
    await expect.poll(() => s.posted.length, { timeout: 3000 }).toBeGreaterThanOrEqual(5);
    expect(failures).toBe(4);
    // The fifth attempt went through: both events, never split, nothing quarantined.
    await expect.poll(() => s.segments().length, { timeout: 3000 }).toBe(0);
    expect(s.posted.every((b) => b.length === 2)).toBe(true);
    expect(s.quarantined).toEqual([]);
    expect(existsSync(path.join(s.dir, 'quarantine'))).toBe(false);
    expect(s.counted()).toBe(0);
  });
});
