import { mkdir, open, readdir, readFile, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import path from 'node:path';
import type { Log, UsageEvent } from './runtime/types.js';

export interface SpoolOptions {
  dir: string;
  log: Log;
  /** A segment this big is sealed before the next write. */
  maxSegmentBytes?: number;
  /** A segment this old is sealed before the next write. */
  maxSegmentAgeMs?: number;
}

export interface SpoolSegment {
  segmentId: string;
  records: UsageEvent[];
}

const SEGMENT = /^seg-(\d{12})\.jsonl$/;
const APPEND_DSYNC = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_APPEND | fsConstants.O_DSYNC;

interface Segment {
  seq: number;
  handle: FileHandle;
  bytes: number;
  openedAt: number;
}

interface Waiter {
  data: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Durable, append-only usage spool. A record is on disk (fsync'd) before append() resolves;
 * segments are deleted only once the api acknowledged them, so delivery is at-least-once.
 */
export class UsageSpool {
  private current: Segment | null = null;
  /** The next segment, created (and its name made durable) ahead of need, off the append path. */
  private prepared: Promise<Segment> | null = null;
  private nextSeq: number;
  private waiting: Waiter[] = [];
  private flushing: Promise<void> | null = null;
  /** File operations run one at a time, in order (writes, seals, deletes). */
  private io: Promise<unknown> = Promise.resolve();
  private closed = false;
  private appends = 0;
  private syncs = 0;

  private constructor(
    private readonly options: SpoolOptions,
    lastSeq: number,
  ) {
    this.nextSeq = lastSeq + 1;
  }

  /** Opens (creating) the spool folder; segments left by a crash stay pending and are never appended to again. */
  static async open(options: SpoolOptions): Promise<UsageSpool> {
    await mkdir(options.dir, { recursive: true });
    let lastSeq = 0;
    for (const name of await readdir(options.dir)) {
      const match = SEGMENT.exec(name);
      if (!match) continue;
      lastSeq = Math.max(lastSeq, Number(match[1]));
      const file = path.join(options.dir, name);
      if ((await stat(file)).size === 0) await unlink(file);
    }
    return new UsageSpool(options, lastSeq);
  }

  /**
   * Resolves once the records are fsync'd. Appends made while a write is in flight are
   * written and synced together (group commit), so many concurrent invocations share one fsync.
   */
  append(records: UsageEvent[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('usage spool is closed'));
    if (records.length === 0) return Promise.resolve();
    this.appends += 1;
    let data = '';
    for (const record of records) data += `${JSON.stringify(record)}\n`;
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ data, resolve, reject });
      // Wait one turn of the event loop so that every append of this tick joins the batch.
      this.flushing ??= new Promise<void>((done) => setImmediate(() => void this.flush().then(done)));
    });
  }

  /**
   * Every unacknowledged record, by segment, oldest first. The current segment is sealed first,
   * so an ack can never delete records appended after this read.
   */
  readPending(opts: { maxRecords?: number } = {}): Promise<SpoolSegment[]> {
    return this.serial(async () => {
      if (this.current && this.current.bytes > 0) await this.seal();
      const segments: SpoolSegment[] = [];
      let count = 0;
      for (const name of await this.segmentNames()) {
        if (this.current && name === segmentName(this.current.seq)) continue;
        const records = await this.readSegment(name);
        if (records.length === 0) continue;
        if (segments.length > 0 && opts.maxRecords !== undefined && count + records.length > opts.maxRecords) break;
        segments.push({ segmentId: name, records });
        count += records.length;
      }
      return segments;
    });
  }

  /** Deletes segments the api acknowledged. */
  ack(segmentIds: string[]): Promise<void> {
    return this.serial(async () => {
      for (const id of segmentIds) {
        if (!SEGMENT.test(id)) throw new Error(`not a spool segment: ${id}`);
        if (this.current && id === segmentName(this.current.seq)) continue;
        await unlink(path.join(this.options.dir, id)).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
        });
      }
    });
  }

  /**
   * Moves segments the api refused for good (a 4xx that no retry can fix) to `rejected/`: they
   * stop blocking the ones behind them, and stay on disk for an operator, never silently lost.
   */
  reject(segmentIds: string[]): Promise<void> {
    return this.serial(async () => {
      const folder = path.join(this.options.dir, 'rejected');
      await mkdir(folder, { recursive: true });
      for (const id of segmentIds) {
        if (!SEGMENT.test(id)) throw new Error(`not a spool segment: ${id}`);
        if (this.current && id === segmentName(this.current.seq)) continue;
        await rename(path.join(this.options.dir, id), path.join(folder, `${id}.${Date.now()}`)).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
        });
      }
    });
  }

  /** Appends and fsyncs so far: the ratio shows how well group commit batches. */
  stats(): { appends: number; syncs: number } {
    return { appends: this.appends, syncs: this.syncs };
  }

  /** Waits for pending appends, then closes the current segment. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flushing;
    await this.serial(async () => {
      await this.current?.handle.close();
      this.current = null;
      const prepared = await this.prepared?.catch(() => null);
      this.prepared = null;
      await prepared?.handle.close(); // left empty: removed at the next open()
    });
  }

  private async flush(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting;
      this.waiting = [];
      const data = batch.length === 1 ? batch[0]!.data : batch.map((w) => w.data).join('');
      try {
        await this.serial(() => this.write(Buffer.from(data)));
        for (const w of batch) w.resolve();
      } catch (err) {
        this.options.log.error({ err }, 'usage spool write failed');
        for (const w of batch) w.reject(err);
      }
    }
    this.flushing = null;
  }

  private async write(data: Buffer): Promise<void> {
    const maxBytes = this.options.maxSegmentBytes ?? 1024 * 1024;
    const maxAgeMs = this.options.maxSegmentAgeMs ?? 60_000;
    if (this.current && this.current.bytes > 0) {
      if (this.current.bytes + data.length > maxBytes || Date.now() - this.current.openedAt > maxAgeMs) await this.seal();
    }
    const current = this.current ?? (await this.createSegment());
    let offset = 0;
    while (offset < data.length) {
      const { bytesWritten } = await current.handle.write(data, offset, data.length - offset);
      offset += bytesWritten;
    }
    current.bytes += data.length;
    // O_DSYNC: the write itself returns once the data is durable (one syscall, not write + fdatasync).
    this.syncs += 1;
  }

  private async createSegment(): Promise<Segment> {
    const next = this.prepared ?? this.newSegment();
    this.prepared = null;
    this.current = await next;
    this.current.openedAt = Date.now();
    return this.current;
  }

  private async newSegment(): Promise<Segment> {
    const seq = this.nextSeq++;
    const handle = await open(path.join(this.options.dir, segmentName(seq)), APPEND_DSYNC);
    // The new name must survive a crash too: sync the folder once per segment.
    const dir = await open(this.options.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    return { seq, handle, bytes: 0, openedAt: Date.now() };
  }

  private async seal(): Promise<void> {
    const current = this.current;
    this.current = null;
    await current?.handle.close();
    // A sealed segment is soon followed by appends: have their segment ready (a folder fsync is slow).
    if (!this.closed && !this.prepared) {
      this.prepared = this.newSegment();
      this.prepared.catch(() => undefined);
    }
  }

  private async segmentNames(): Promise<string[]> {
    return (await readdir(this.options.dir)).filter((n) => SEGMENT.test(n)).sort();
  }

  /** Parses a segment; a torn last line (a crash mid-write) is skipped, as is any unreadable line. */
  private async readSegment(name: string): Promise<UsageEvent[]> {
    const text = await readFile(path.join(this.options.dir, name), 'utf8');
    const lines = text.split('\n');
    const records: UsageEvent[] = [];
    lines.forEach((line, i) => {
      if (line === '') return;
      try {
        records.push(JSON.parse(line) as UsageEvent);
      } catch {
        const torn = i === lines.length - 1;
        const where = { segment: name, line: i + 1 };
        if (torn) this.options.log.warn(where, 'skipping torn last line in usage spool');
        else this.options.log.error(where, 'skipping unreadable line in usage spool');
      }
    });
    return records;
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.io.then(op, op);
    this.io = run.catch(() => undefined);
    return run;
  }
}

function segmentName(seq: number): string {
  return `seg-${String(seq).padStart(12, '0')}.jsonl`;
}
