import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { UsageEvent } from '../../executor/runtime/types.js';
import { UsageSpool } from '../../executor/spool.js';
import { numberedUsage } from './fixtures/usage-record.js';
import { silentLog } from './helpers.js';

const dirs: string[] = [];
const spools: UsageSpool[] = [];

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tally-spool-'));
  dirs.push(dir);
  return dir;
}

async function openSpool(dir: string, opts: { maxSegmentBytes?: number; spotWriteMaxUs?: number } = {}): Promise<UsageSpool> {
  const spool = await UsageSpool.open({ dir, log: silentLog, ...opts });
  spools.push(spool);
  return spool;
}

afterEach(async () => {
  await Promise.all(spools.splice(0).map((s) => s.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const usage = numberedUsage;

const ids = (segments: { records: UsageEvent[] }[]): string[] => segments.flatMap((s) => s.records.map((r) => r.invocationId));

describe('usage spool', () => {
  it('returns appended records once and forgets acknowledged segments', async () => {
    const dir = tempDir();
    const spool = await openSpool(dir);
    await spool.append([usage(1), usage(2)]);
    await spool.append([usage(3)]);
    const pending = await spool.readPending();
    expect(ids(pending)).toEqual([usage(1), usage(2), usage(3)].map((u) => u.invocationId));
    expect(pending[0]!.records[0]).toEqual(usage(1));

    await spool.append([usage(4)]);
    await spool.ack(pending.map((s) => s.segmentId));
    expect(ids(await spool.readPending())).toEqual([usage(4).invocationId]);
    for (const s of pending) expect(readdirSync(dir)).not.toContain(s.segmentId);
  });

  it('shares one fsync among concurrent appends (group commit) and rotates segments by size', async () => {
    const spool = await openSpool(tempDir(), { maxSegmentBytes: 16 * 1024 });
    const started = performance.now();
    for (let round = 0; round < 10; round++) {
      await Promise.all(Array.from({ length: 200 }, (_, i) => spool.append([usage(round * 200 + i)])));
    }
    const elapsed = performance.now() - started;
    const { appends, syncs } = spool.stats();
    expect(appends).toBe(2000);
    expect(syncs).toBeLessThanOrEqual(20);
    expect(elapsed).toBeLessThan(5000);
    const pending = await spool.readPending();
    expect(pending.length).toBeGreaterThan(1);
    expect(new Set(ids(pending)).size).toBe(2000);
    const limited = await spool.readPending({ maxRecords: 100 });
    expect(limited.length).toBe(1);
  });

  it('replays unacknowledged segments after a crash, tolerating a torn last line', async () => {
    const dir = tempDir();
    const spool = await openSpool(dir);
    await spool.append([usage(1)]);
    await spool.append([usage(2)]);
    await spool.close();
    const [segment] = readdirSync(dir);
    appendFileSync(path.join(dir, segment!), '{"invocationId":"00000000-0000-4000-8000-0000000');

    const reopened = await openSpool(dir);
    expect(ids(await reopened.readPending())).toEqual([usage(1).invocationId, usage(2).invocationId]);
    await reopened.append([usage(3)]);
    const pending = await reopened.readPending();
    expect(ids(pending)).toEqual([1, 2, 3].map((n) => usage(n).invocationId));
    expect(pending.length).toBe(2);
  });

  it('skips a corrupt line in the middle without losing the others', async () => {
    const dir = tempDir();
    const line = (n: number): string => `${JSON.stringify(usage(n))}\n`;
    writeFileSync(path.join(dir, 'seg-000000000007.jsonl'), `${line(1)}not json\n${line(2)}`);
    const spool = await openSpool(dir);
    expect(ids(await spool.readPending())).toEqual([usage(1).invocationId, usage(2).invocationId]);
    await spool.append([usage(3)]);
    // The next record goes after the segments left behind (and the one made ahead after it holds nothing).
    expect(readFileSync(path.join(dir, 'seg-000000000008.jsonl'), 'utf8')).toContain(usage(3).invocationId);
  });

  it('keeps every record whose append resolved when the process is SIGKILLed', async () => {
    const dir = tempDir();
    const writer = fileURLToPath(new URL('./fixtures/spool-writer.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const durable: string[] = [];
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        durable.push(...lines);
        if (durable.length >= 300) resolve();
      });
    });
    child.removeAllListeners('exit');
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    const spool = await openSpool(dir);
    const recovered = new Set(ids(await spool.readPending()));
    for (const id of durable) expect(recovered.has(id)).toBe(true);
  });
});

describe('usage spool: records written in place into zeroed segments', () => {
  const segmentFile = (dir: string, seq: number) => path.join(dir, `seg-${String(seq).padStart(12, '0')}.jsonl`);

  it('writes into a segment zeroed ahead, without growing it, and cuts the zeros off when it is sealed', async () => {
    const dir = tempDir();
    const spool = await openSpool(dir);
    await spool.append([usage(1)]);
    await spool.append([usage(2)], { alone: true });
    const written = `${JSON.stringify(usage(1))}\n${JSON.stringify(usage(2))}\n`;
    // Still the size it was zeroed to: the records went in place, at its start.
    const open = readFileSync(segmentFile(dir, 1));
    expect(open.length).toBe(4096);
    expect(open.subarray(0, written.length).toString()).toBe(written);
    expect(open.subarray(written.length).every((b) => b === 0)).toBe(true);
    // The next segment is made ahead, zeroed, and passed by readers.
    await (spool as unknown as { prepared: Promise<unknown> }).prepared;
    expect(statSync(segmentFile(dir, 2)).size).toBe(4096);
    const pending = await spool.readPending();
    expect(pending.map((p) => p.segmentId)).toEqual(['seg-000000000001.jsonl']);
    expect(readFileSync(segmentFile(dir, 1), 'utf8')).toBe(written);
    // The segment after a seal is zeroed to twice what the sealed one held (in pages).
    await spool.append([usage(3)]);
    await (spool as unknown as { prepared: Promise<unknown> }).prepared;
    expect(statSync(segmentFile(dir, 3)).size).toBe(Math.ceil((2 * written.length) / 4096) * 4096);
  });

  it('zeroes more ahead for a busier spool, never more than a segment', async () => {
    const dir = tempDir();
    const spool = await openSpool(dir, { maxSegmentBytes: 256 * 1024 });
    const many = Array.from({ length: 400 }, (_, i) => usage(i + 1)); // about 100 KiB
    await spool.append(many);
    await spool.readPending(); // seals 100 KiB: the next but one is zeroed to 200 KiB
    await spool.append([usage(1)]);
    const inside = spool as unknown as { prepared: Promise<unknown> };
    await inside.prepared;
    const sizes = readdirSync(dir)
      .filter((n) => n.startsWith('seg-'))
      .sort()
      .map((n) => statSync(path.join(dir, n)).size);
    expect(sizes.at(-1)).toBe(Math.ceil((2 * many.map((u) => JSON.stringify(u).length + 1).reduce((a, b) => a + b)) / 4096) * 4096);
    await spool.append(many);
    await spool.append(many); // over 256 KiB: sealed by size
    await spool.readPending();
    await spool.append([usage(2)]);
    await inside.prepared;
    for (const n of readdirSync(dir).filter((n) => n.startsWith('seg-')))
      expect(statSync(path.join(dir, n)).size).toBeLessThanOrEqual(256 * 1024);
  });

  it('reads a segment left with its zeros by a crash, and removes at open one that holds nothing but zeros', async () => {
    const dir = tempDir();
    const text = `${JSON.stringify(usage(1))}\n${JSON.stringify(usage(2))}\n`;
    writeFileSync(segmentFile(dir, 4), Buffer.concat([Buffer.from(text), Buffer.alloc(64 * 1024)]));
    writeFileSync(segmentFile(dir, 5), Buffer.alloc(64 * 1024));
    const complaints: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => complaints.push(line) });
    const spool = await UsageSpool.open({ dir, log });
    spools.push(spool);
    expect(readdirSync(dir)).not.toContain('seg-000000000005.jsonl');
    expect(ids(await spool.readPending())).toEqual([usage(1).invocationId, usage(2).invocationId]);
    expect(spool.stats().pendingRecords).toBe(2);
    expect(complaints).toEqual([]);
    // A record torn by the crash, its missing bytes still zeros, is skipped like any torn line.
    writeFileSync(
      segmentFile(dir, 9),
      Buffer.concat([Buffer.from(text), Buffer.from(JSON.stringify(usage(3)).slice(0, 40)), Buffer.alloc(4096)]),
    );
    const again = await UsageSpool.open({ dir, log });
    spools.push(again);
    expect(ids(await again.readPending())).toEqual([1, 2, 1, 2].map((n) => usage(n).invocationId));
    expect(complaints.join('')).toMatch(/torn last line/);
  });
});

/** Every segment's text, read at this very moment (no await: nothing else can run meanwhile). */
function onDisk(dir: string): string {
  return readdirSync(dir)
    .filter((n) => n.startsWith('seg-'))
    .sort()
    .map((n) => readFileSync(path.join(dir, n), 'utf8'))
    .join('');
}

describe('usage spool: the write on the spot, for a lone invocation', () => {
  // The spot path is refused on a disk whose writes average over `spotWriteMaxUs`; a CI machine's disk
  // can be that slow (the first O_DSYNC write to a new file took over 1 ms there once), so the tests
  // that need the path taken allow any disk, and the slow-disk case sets a bound no disk meets.
  const anyDisk = { spotWriteMaxUs: Number.MAX_SAFE_INTEGER };

  it('is on disk before append returns its promise, without the thread pool', async () => {
    const dir = tempDir();
    const spool = await openSpool(dir, anyDisk);
    await spool.append([usage(1)]); // makes the segment
    const written = spool.append([usage(2)], { alone: true });
    expect(onDisk(dir)).toContain(usage(2).invocationId);
    await written;
    expect(spool.stats()).toMatchObject({ appends: 2, syncs: 2, spotWrites: 1 });
    expect(ids(await spool.readPending())).toEqual([usage(1).invocationId, usage(2).invocationId]);
  });

  it('waits its turn behind a write in flight, so records keep their order; and is never taken without `alone`', async () => {
    const dir = tempDir();
    const spool = await openSpool(dir);
    await spool.append([usage(1)]);
    const first = spool.append([usage(2)]);
    const second = spool.append([usage(3)], { alone: true });
    expect(onDisk(dir)).not.toContain(usage(3).invocationId);
    await Promise.all([first, second]);
    expect(spool.stats().spotWrites).toBe(0);
    expect(ids(await spool.readPending())).toEqual([1, 2, 3].map((n) => usage(n).invocationId));
  });

  it('is not taken while the segment is being sealed, nor on a disk slower than spotWriteMaxUs', async () => {
    const dir = tempDir();
    const spool = await openSpool(dir, anyDisk);
    await spool.append([usage(1)]);
    const reading = spool.readPending(); // seals the current segment on the spool's file queue
    const during = spool.append([usage(2)], { alone: true });
    expect(onDisk(dir)).not.toContain(usage(2).invocationId);
    await Promise.all([reading, during]);

    const slow = await openSpool(tempDir(), { spotWriteMaxUs: 0.001 });
    await slow.append([usage(1)]);
    await slow.append([usage(2)], { alone: true });
    expect(slow.stats().spotWrites).toBe(0);
    expect(spool.stats().spotWrites).toBe(0);
    // The same spool takes the path once nothing is in the way (so the refusals above were not by chance).
    await spool.append([usage(3)], { alone: true });
    expect(spool.stats().spotWrites).toBe(1);

    const never = await openSpool(tempDir(), { spotWriteMaxUs: 0 });
    await never.append([usage(1)]);
    await never.append([usage(2)], { alone: true });
    expect(never.stats().spotWrites).toBe(0);
  });

  it('falls back to the ordinary path when the write fails, which fails the append for the caller to hold', async () => {
    const dir = tempDir();
    const spool = await openSpool(dir, anyDisk);
    await spool.append([usage(1)]);
    // The segment's descriptor goes bad under the spool (as a failing disk would make its writes fail),
    // once the next segment is made (else the descriptor's number could be taken again by its file).
    const inside = spool as unknown as { current: { handle: { fd: number } }; prepared: Promise<unknown> };
    await inside.prepared;
    const current = inside.current;
    closeSync(current.handle.fd);
    await expect(spool.append([usage(2)], { alone: true })).rejects.toMatchObject({ code: 'EBADF' });
    expect(spool.stats()).toMatchObject({ spotWrites: 0, writeFailures: 1 });
    // The next record goes to a fresh segment; the first is still pending.
    await spool.append([usage(3)], { alone: true });
    expect(ids(await spool.readPending())).toEqual([usage(1).invocationId, usage(3).invocationId]);
  });
});
