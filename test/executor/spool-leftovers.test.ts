// What a crash, a damaged disk or a full one leaves in the spool's folder, and a shutdown against a silent api
// (executor/spool.ts, executor/usage-reporter.ts; docs/usage-path.md). Found by a review on 2026-12-07.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UsageEvent } from '../../executor/runtime/types.js';
import { UsageSpool } from '../../executor/spool.js';
import { ApiError } from '../../executor/api-client.js';
import { UsageReporter } from '../../executor/usage-reporter.js';
import { numberedUsage } from './fixtures/usage-record.js';

const silentLog = pino({ level: 'silent' });
const dirs: string[] = [];
const spools: UsageSpool[] = [];

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tally-spool-leftovers-'));
  dirs.push(dir);
  return dir;
}

async function openSpool(dir: string, log = silentLog): Promise<UsageSpool> {
  const spool = await UsageSpool.open({ dir, log });
  spools.push(spool);
  return spool;
}

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(spools.splice(0).map((s) => s.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const segmentFile = (dir: string, seq: number) => path.join(dir, `seg-${String(seq).padStart(12, '0')}.jsonl`);

describe('usage spool: quarantine files', () => {
  it('hands on the readable events of a quarantine file with a damaged line, and keeps the file aside for an operator', async () => {
    const dir = tempDir();
    const folder = path.join(dir, 'quarantine');
    mkdirSync(folder, { recursive: true });
    const good = { event: numberedUsage(1), reason: 'VALIDATION_ERROR: bad', refusedAt: '2026-01-01T00:00:00.000Z' };
    const name = 'q-1767225600000-0a1b2c3d.jsonl';
    // One good entry, then a line damaged on disk (a refused event the api never received).
    writeFileSync(path.join(folder, name), `${JSON.stringify(good)}\n{"event":{"invocationId":"00000000-0000-4000-8000-0000\u0000\u0000\n`);
    const logged: string[] = [];
    const spool = await openSpool(dir, pino({ level: 'error' }, { write: (l: string) => logged.push(l) }));
    const handed: unknown[] = [];
    const reporter = new UsageReporter({
      spool,
      api: {
        postUsage: async () => ({ accepted: 0, duplicates: 0, conflicts: 0 }),
        postQuarantine: async (entries) => {
          handed.push(...entries);
          return { stored: entries.length, duplicates: 0 };
        },
      },
      log: silentLog,
      flushIntervalMs: 60_000,
    });
    reporter.start();
    await vi.waitFor(() => expect(handed).toHaveLength(1));
    await reporter.stop(Date.now() + 1_000);
    expect(logged.join('')).toMatch(/unreadable line in a usage quarantine file/);
    // The damaged line may be an event the api never got: the file is kept, out of the way of the next rounds.
    expect(readdirSync(folder)).not.toContain(name);
    expect(readFileSync(path.join(folder, 'damaged', name), 'utf8')).toContain(JSON.stringify(good));
    expect(spool.stats().quarantineWaiting).toBe(0);
  });

  it('leaves no scratch file behind when a quarantine write fails (a full disk), nor after a restart', async () => {
    const dir = tempDir();
    const spool = await openSpool(dir);
    // A FileHandle's writeFile fails as on a full disk, after the scratch file was created.
    const probe = await open(path.join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as { writeFile: (...args: unknown[]) => Promise<void> };
    await probe.close();
    rmSync(path.join(dir, 'probe'));
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    vi.spyOn(proto, 'writeFile').mockRejectedValue(enospc);
    const entry = { event: numberedUsage(1), reason: 'VALIDATION_ERROR', refusedAt: new Date().toISOString() };
    for (let i = 0; i < 3; i++) await expect(spool.quarantine([entry])).rejects.toMatchObject({ code: 'ENOSPC' });
    vi.restoreAllMocks();
    const folder = path.join(dir, 'quarantine');
    const leftovers = () => readdirSync(folder).filter((n) => n.endsWith('.tmp'));
    const afterFailures = leftovers();
    await spool.close();
    await openSpool(dir);
    expect({ afterFailures, afterRestart: leftovers() }).toEqual({ afterFailures: [], afterRestart: [] });
  });
});

describe('usage reporter: a quarantine file the api refuses for good', () => {
  it('keeps it aside and hands on the files after it, and sends every entry as the api takes them', async () => {
    const dir = tempDir();
    const folder = path.join(dir, 'quarantine');
    mkdirSync(folder, { recursive: true });
    const entry = (n: number, reason = 'VALIDATION_FAILED: memoryMb') => ({
      event: numberedUsage(n),
      reason,
      refusedAt: '2026-01-01T00:00:00.000Z',
    });
    // The oldest file is one the api refuses (400); the next holds an entry with no reason and one with no event.
    const refused = 'q-1767225600000-00000001.jsonl';
    const next = 'q-1767225600001-00000002.jsonl';
    writeFileSync(path.join(folder, refused), `${JSON.stringify(entry(1))}\n`);
    writeFileSync(
      path.join(folder, next),
      `${JSON.stringify(entry(2, ''))}\n${JSON.stringify({ reason: 'x', refusedAt: '2026-01-01T00:00:00.000Z' })}\n`,
    );
    const spool = await openSpool(dir);
    const handed: { event: unknown; reason: string }[] = [];
    const reporter = new UsageReporter({
      spool,
      api: {
        postUsage: async () => ({ accepted: 0, duplicates: 0, conflicts: 0 }),
        postQuarantine: async (entries) => {
          if (JSON.stringify(entries).includes(numberedUsage(1).invocationId)) {
            throw new ApiError(400, 'POST /v1/usage/quarantine: 400 VALIDATION_FAILED', 'VALIDATION_FAILED');
          }
          handed.push(...entries);
          return { stored: entries.length, duplicates: 0 };
        },
      },
      log: silentLog,
      flushIntervalMs: 60_000,
    });
    reporter.start();
    await vi.waitFor(() => expect(readdirSync(folder).filter((n) => n.endsWith('.jsonl'))).toEqual([]));
    await reporter.stop(Date.now() + 1_000);
    expect(readdirSync(path.join(folder, 'damaged'))).toEqual([refused]);
    expect(handed).toEqual([
      { event: numberedUsage(2), reason: 'refused by the api; no reason was recorded' },
      { event: null, reason: 'x' },
    ]);
    expect(spool.stats().quarantineWaiting).toBe(0);
  });
});

describe('usage spool: segments left by a crash', () => {
  it('removes, in time, a segment that holds nothing but a record torn by a crash (its write never returned)', async () => {
    const dir = tempDir();
    // A crash during the first write into a segment made ahead: part of a record, then the zeros.
    const torn = Buffer.from(JSON.stringify(numberedUsage(1)).slice(0, 60));
    writeFileSync(segmentFile(dir, 3), Buffer.concat([torn, Buffer.alloc(4096)]));
    const spool = await openSpool(dir);
    const pending = await spool.readPending();
    expect(pending.length).toBe(0); // nothing in it to send, so nothing will ever ack it
    await spool.append([numberedUsage(2)]);
    const read = await spool.readPending();
    await spool.ack(read.map((s) => s.segmentId));
    await spool.close();
    await openSpool(dir); // a restart
    expect(readdirSync(dir)).not.toContain('seg-000000000003.jsonl');
  });

  it('sends every complete record of a segment cut short by a crash, including those after an unreadable one', async () => {
    const dir = tempDir();
    const line = (n: number) => `${JSON.stringify(numberedUsage(n))}\n`;
    // A record whose first page was lost (zeros) and whose end landed, followed by a complete record, then zeros.
    const damaged = `${'\0'.repeat(30)}${JSON.stringify(numberedUsage(2)).slice(30)}\n`;
    writeFileSync(segmentFile(dir, 1), Buffer.concat([Buffer.from(line(1) + damaged + line(3)), Buffer.alloc(8192)]));
    const spool = await openSpool(dir);
    const ids = (await spool.readPending()).flatMap((s) => s.records.map((r: UsageEvent) => r.invocationId));
    expect(ids).toEqual([numberedUsage(1).invocationId, numberedUsage(3).invocationId]);
    expect(spool.stats().pendingRecords).toBe(2);
  });
});

describe('usage reporter: shutdown', () => {
  it('returns from stop() by its deadline even while a send started by the timer is still waiting for the api', async () => {
    const dir = tempDir();
    const spool = await openSpool(dir);
    await spool.append([numberedUsage(1)]);
    let release: () => void = () => undefined;
    let calls = 0;
    const reporter = new UsageReporter({
      spool,
      api: {
        // The api takes the connection and does not answer (the client's own timeout is 30 s).
        postUsage: () => {
          calls += 1;
          return new Promise((resolve) => {
            release = () => resolve({ accepted: 1, duplicates: 0, conflicts: 0 });
          });
        },
        postQuarantine: async () => ({ stored: 0, duplicates: 0 }),
      },
      log: silentLog,
      flushIntervalMs: 60_000,
    });
    reporter.start();
    await vi.waitFor(() => expect(calls).toBe(1));
    const started = Date.now();
    const stopped = reporter.stop(started + 200).then(() => Date.now() - started);
    const late = new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), 1_500));
    const outcome = await Promise.race([stopped, late]);
    release();
    await stopped;
    expect(outcome).not.toBe('still waiting');
  });
});
