import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, statfs, unlink, type FileHandle } from 'node:fs/promises';
import { constants as fsConstants, writeSync } from 'node:fs';
import path from 'node:path';
import { isSpooledLogs, type SpooledLogs } from '../src/contracts/logs.js';
import type { Log, UsageEvent } from './runtime/types.js';

/** A spool line: an invocation's usage record, or its log lines (written in the same append, so under the same fsync). */
export type SpoolRecord = UsageEvent | SpooledLogs;

export interface SpoolOptions {
  dir: string;
  log: Log;
  /** A segment this big is sealed before the next write. */
  maxSegmentBytes?: number;
  /** A segment this old is sealed before the next write. */
  maxSegmentAgeMs?: number;
  /**
   * Bytes set aside in a reserve file beside the spool folder, given up the moment the disk is found
   * full, so that the usage of invocations already running still lands. 0 (the default): no reserve.
   */
  reserveBytes?: number;
  /** Below this much free space on the spool's disk, `accepting()` is false: no new invocation should start. */
  minFreeBytes?: number;
  /** How often free space is looked at (and a spent reserve made again). */
  checkIntervalMs?: number;
  /**
   * A disk whose writes take longer than this on average (µs) is never written on the event loop, even
   * for a lone invocation (see `writeNow`); 0: never on the loop. Default 1,000.
   */
  spotWriteMaxUs?: number;
  /** Free bytes for an unprivileged writer on the spool's file system; tests stand in a full disk. */
  freeBytes?: (dir: string) => Promise<number>;
}

export interface SpoolSegment<R extends object = UsageEvent> {
  segmentId: string;
  records: R[];
}

/** An event the api refused for good, with its reason: kept on disk until the api's quarantine has it. */
export interface QuarantinedEvent {
  event: unknown;
  reason: string;
  refusedAt: string;
}

export interface QuarantineFile {
  fileId: string;
  entries: QuarantinedEvent[];
}

const SEGMENT = /^seg-(\d{12})\.jsonl$/;
/** A stretch of a segment still holding the zeros it was made with. */
const ZEROS = /^\0+$/;
const QUARANTINE = /^q-\d{13}-[0-9a-f]{8}\.jsonl$/;
const DISK_FULL = new Set(['ENOSPC', 'EDQUOT']);

async function statfsFree(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

/** Makes a new folder entry (a file created, renamed or removed) survive a crash. */
async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
/** Writes at explicit offsets (into the zeroed part first), each durable when it returns. */
const WRITE_DSYNC = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_DSYNC;
/**
 * The zeroed size of a spool's first segment, and the least of any: one page. A quiet executor seals a
 * segment holding a record or two every second; zeroing more for each would write far more zeros than
 * records (64 KiB a second is 5.5 GB a day).
 */
const MIN_ZEROED_BYTES = 4096;

interface Segment {
  seq: number;
  handle: FileHandle;
  /** Bytes of records written: the next write goes there. */
  bytes: number;
  /**
   * Bytes written as zeros (and made durable) when the segment was made. A record written inside them
   * changes no file metadata, so its `O_DSYNC` write needs no journal commit; past them the file grows,
   * as an append does (docs/usage-path.md, "Where the write lands").
   */
  zeroed: number;
  openedAt: number;
}

interface Waiter {
  data: string;
  count: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Durable usage spool: records are only ever added, never rewritten. A record is on disk (fsync'd)
 * before append() resolves; segments are deleted only once the api acknowledged them, so delivery is at-least-once. Events
 * the api refuses for good are moved, one by one, to quarantine files (`quarantine/`), kept until
 * the api's quarantine holds them.
 */
export class UsageSpool<R extends object = UsageEvent> {
  private current: Segment | null = null;
  /** The next segment, created (zeroed, and its name made durable) ahead of need, off the append path. */
  private prepared: Promise<Segment> | null = null;
  /** Its number: no record is in it yet, so readers pass it by. */
  private preparedSeq: number | null = null;
  private nextSeq: number;
  private waiting: Waiter[] = [];
  private flushing: Promise<void> | null = null;
  /** File operations run one at a time, in order (writes, seals, deletes). */
  private io: Promise<unknown> = Promise.resolve();
  private closed = false;
  private appends = 0;
  private syncs = 0;
  private spotWrites = 0;
  private writeFailures = 0;
  private quarantined = 0;
  /** Events in quarantine files, not yet handed to the api. */
  private quarantineWaiting = 0;
  private reserveHeld = false;
  /** Unacknowledged records per segment, and when the first of them was spooled (ms): the backlog. */
  private backlog = new Map<string, { records: number; since: number }>();
  private spaceOk = true;
  private watch: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  /** File operations queued or running on `io`: a write on the spot is made only when there are none. */
  private ioPending = 0;
  /** Moving mean of a write's time (µs): a write on the spot holds the event loop that long. */
  private writeUs = 0;
  /** What the last sealed segment held: how much of the next one to zero (`zeroBytes`). */
  private lastSealedBytes = 0;
  /** Quarantine files found with an unreadable line: kept aside once their readable events are handed on. */
  private readonly damagedQuarantine = new Set<string>();

  private constructor(
    private readonly options: SpoolOptions,
    lastSeq: number,
  ) {
    this.nextSeq = lastSeq + 1;
  }

  /** Opens (creating) the spool folder; segments left by a crash stay pending and are never appended to again. */
  static async open<R extends object = UsageEvent>(options: SpoolOptions): Promise<UsageSpool<R>> {
    await mkdir(options.dir, { recursive: true });
    let lastSeq = 0;
    for (const name of await readdir(options.dir)) {
      const match = SEGMENT.exec(name);
      if (!match) continue;
      lastSeq = Math.max(lastSeq, Number(match[1]));
      const file = path.join(options.dir, name);
      // Made and never written (an empty file, or one still all zeros), or holding only the start of a
      // record whose write a crash cut short: no record in it was ever durable, so none was answered.
      const held = (await stat(file)).size === 0 ? 'empty' : await completeRecords(file);
      if (held === 'torn') options.log.warn({ segment: name }, 'usage spool segment held only a record torn by a crash; removed');
      if (held !== 'some') await unlink(file);
    }
    await removeQuarantineScratch(path.join(options.dir, 'quarantine'));
    lastSeq = await adoptRejected(options, lastSeq);
    const spool = new UsageSpool<R>(options, lastSeq);
    await spool.scanBacklog();
    spool.quarantineWaiting = (await spool.readQuarantine()).reduce((n, f) => n + f.entries.length, 0);
    await spool.check();
    const every = options.checkIntervalMs ?? 1_000;
    spool.watch = setInterval(() => void spool.check(), every);
    spool.watch.unref();
    return spool;
  }

  /**
   * Whether a new invocation may start: its usage record will find room. False below the free-space
   * margin, or once the reserve was spent (until there is room to make it again).
   */
  accepting(): boolean {
    const reserved = (this.options.reserveBytes ?? 0) === 0 || this.reserveHeld;
    return !this.closed && this.spaceOk && reserved;
  }

  /**
   * Resolves once the records are fsync'd. Appends made while a write is in flight are
   * written and synced together (group commit), so many concurrent invocations share one fsync.
   * `alone`: the caller is the only invocation in flight, so the records may be written on the spot
   * (`writeNow`); they are durable when the returned promise is made.
   */
  append(records: R[], opts: { alone?: boolean } = {}): Promise<void> {
    if (this.closed) return Promise.reject(new Error('usage spool is closed'));
    if (records.length === 0) return Promise.resolve();
    this.appends += 1;
    let data = '';
    for (const record of records) data += `${JSON.stringify(record)}\n`;
    const count = usageCount(records);
    if (opts.alone && this.writeNow(data, count)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ data, count, resolve, reject });
      // Wait one turn of the event loop so that every append of this tick joins the batch.
      this.flushing ??= new Promise<void>((done) => setImmediate(() => void this.flush().then(done)));
    });
  }

  /**
   * Every unacknowledged record, by segment, oldest first. The current segment is sealed first,
   * so an ack can never delete records appended after this read. `more`: segments were left out
   * by `maxRecords` (a backlog: the caller should read again at once).
   */
  readPending(opts: { maxRecords?: number } = {}): Promise<SpoolSegment<R>[] & { more: boolean }> {
    return this.serial(async () => {
      if (this.current && this.current.bytes > 0) await this.seal();
      const segments: SpoolSegment<R>[] = [];
      let count = 0;
      let more = false;
      for (const name of await this.segmentNames()) {
        if (this.current && name === segmentName(this.current.seq)) continue;
        if (this.preparedSeq !== null && name === segmentName(this.preparedSeq)) continue;
        const records = await this.readSegment(name);
        if (records.length === 0) continue;
        if (segments.length > 0 && opts.maxRecords !== undefined && count + records.length > opts.maxRecords) {
          more = true;
          break;
        }
        segments.push({ segmentId: name, records });
        count += records.length;
      }
      return Object.assign(segments, { more });
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
        this.backlog.delete(id);
      }
    });
  }

  /**
   * Writes refused events to a new quarantine file, durably (written, fsync'd, then renamed into
   * place and the folder fsync'd), before the segments holding them may be acknowledged.
   */
  quarantine(entries: QuarantinedEvent[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return this.serial(async () => {
      const folder = this.quarantineDir();
      await mkdir(folder, { recursive: true });
      const name = `q-${String(Date.now()).padStart(13, '0')}-${randomBytes(4).toString('hex')}.jsonl`;
      const scratch = path.join(folder, `.${name}.tmp`);
      const handle = await open(scratch, 'wx');
      try {
        try {
          await handle.writeFile(entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(scratch, path.join(folder, name));
      } catch (err) {
        // A full disk, say: the events stay in their segment (not acknowledged), so the partial copy goes.
        await unlink(scratch).catch(() => undefined);
        throw err;
      }
      await syncFolder(folder);
      this.quarantined += entries.length;
      this.quarantineWaiting += entries.length;
    });
  }

  /** Quarantine files not yet handed to the api, oldest first. */
  async readQuarantine(): Promise<QuarantineFile[]> {
    const folder = this.quarantineDir();
    const names = (await readdir(folder).catch(() => [] as string[])).filter((n) => QUARANTINE.test(n)).sort();
    const files: QuarantineFile[] = [];
    for (const name of names) {
      const text = await readFile(path.join(folder, name), 'utf8');
      const entries: QuarantinedEvent[] = [];
      for (const line of text.split('\n')) {
        if (line === '') continue;
        try {
          entries.push(JSON.parse(line) as QuarantinedEvent);
        } catch {
          // Written whole and renamed into place: a bad line here is damage. Its readable events are handed
          // on; the file itself is then kept in quarantine/damaged/ (dropQuarantine), never deleted.
          if (!this.damagedQuarantine.has(name)) {
            this.options.log.error(
              { file: name },
              'unreadable line in a usage quarantine file; the file will be kept in quarantine/damaged/',
            );
          }
          this.damagedQuarantine.add(name);
        }
      }
      files.push({ fileId: name, entries });
    }
    return files;
  }

  /**
   * Deletes a quarantine file once the api's quarantine stored its events; one with an unreadable line
   * is moved to quarantine/damaged/ instead, for an operator: the line may be an event the api never got.
   * `aside`: moved there too (a file the api's quarantine refused for good, which would block the others).
   */
  dropQuarantine(fileId: string, entries: number, opts: { aside?: boolean } = {}): Promise<void> {
    if (!QUARANTINE.test(fileId)) return Promise.reject(new Error(`not a quarantine file: ${fileId}`));
    return this.serial(async () => {
      const file = path.join(this.quarantineDir(), fileId);
      if (opts.aside || this.damagedQuarantine.has(fileId)) {
        const damaged = path.join(this.quarantineDir(), 'damaged');
        await mkdir(damaged, { recursive: true });
        await rename(file, path.join(damaged, fileId));
        await syncFolder(damaged);
        await syncFolder(this.quarantineDir());
        this.damagedQuarantine.delete(fileId);
      } else {
        await unlink(file).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
        });
      }
      this.quarantineWaiting = Math.max(0, this.quarantineWaiting - entries);
    });
  }

  /**
   * Appends and fsyncs so far (the ratio shows how well group commit batches), failed writes, events
   * quarantined since start and those waiting for the api, and whether the reserve is held.
   */
  stats() {
    return {
      appends: this.appends,
      syncs: this.syncs,
      spotWrites: this.spotWrites,
      writeFailures: this.writeFailures,
      quarantined: this.quarantined,
      quarantineWaiting: this.quarantineWaiting,
      reserveHeld: this.reserveHeld,
      ...this.backlogStats(),
    };
  }

  /** Records spooled and not yet acknowledged by the api, and how long the oldest of them has waited. */
  backlogStats(now = Date.now()): { pendingRecords: number; oldestPendingAgeMs: number } {
    let pendingRecords = 0;
    let oldest = now;
    for (const b of this.backlog.values()) {
      pendingRecords += b.records;
      oldest = Math.min(oldest, b.since);
    }
    return { pendingRecords, oldestPendingAgeMs: pendingRecords === 0 ? 0 : now - oldest };
  }

  /** Segments left by an earlier run: their records are the backlog, spooled when each file was made. */
  private async scanBacklog(): Promise<void> {
    for (const name of await this.segmentNames()) {
      const records = usageCount(await this.readSegment(name));
      if (records === 0) continue;
      const info = await stat(path.join(this.options.dir, name));
      this.backlog.set(name, { records, since: info.birthtimeMs > 0 ? info.birthtimeMs : info.mtimeMs });
    }
  }

  /** Waits for pending appends, then closes the current segment. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.watch) clearInterval(this.watch);
    this.watch = null;
    await this.checking;
    await this.flushing;
    await this.serial(async () => {
      if (this.current) {
        await trimZeros(this.current);
        await this.current.handle.close();
      }
      this.current = null;
      const prepared = await this.prepared?.catch(() => null);
      this.prepared = null;
      await prepared?.handle.close(); // holds nothing but zeros: removed at the next open()
    });
  }

  private async flush(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting;
      this.waiting = [];
      const data = batch.length === 1 ? batch[0]!.data : batch.map((w) => w.data).join('');
      const buffer = Buffer.from(data);
      const records = batch.reduce((n, w) => n + w.count, 0);
      try {
        try {
          await this.serial(() => this.write(buffer, records));
        } catch (err) {
          // The disk is full: give up the reserve and write again, into a fresh segment.
          if (!DISK_FULL.has((err as NodeJS.ErrnoException).code ?? '') || !(await this.releaseReserve())) throw err;
          this.options.log.error(
            { err: String(err) },
            'usage spool: the disk is full; the reserve was given up for the records of invocations already run, and no new invocation starts until there is room',
          );
          await this.serial(() => this.write(buffer, records));
        }
        for (const w of batch) w.resolve();
      } catch (err) {
        this.writeFailures += 1;
        this.options.log.error({ err }, 'usage spool write failed');
        for (const w of batch) w.reject(err);
      }
    }
    this.flushing = null;
  }

  /** Free space against the margin; a spent (or never made) reserve is made again once there is room for it. */
  private check(): Promise<void> {
    this.checking ??= (async () => {
      try {
        const free = await (this.options.freeBytes ?? statfsFree)(this.options.dir);
        const minFree = this.options.minFreeBytes ?? 0;
        const wasOk = this.spaceOk;
        this.spaceOk = free >= minFree;
        if (wasOk && !this.spaceOk)
          this.options.log.error({ free, minFree }, 'usage spool: free disk space is below the margin; refusing new invocations');
        const reserve = this.options.reserveBytes ?? 0;
        if (reserve > 0 && !this.reserveHeld && !this.closed && free >= minFree + reserve) await this.makeReserve(reserve);
        else if (!wasOk && this.spaceOk) this.options.log.info({ free }, 'usage spool: free disk space is back above the margin');
      } catch (err) {
        this.options.log.warn({ err: String(err) }, 'usage spool: could not check free disk space');
      } finally {
        this.checking = null;
      }
    })();
    return this.checking;
  }

  private reserveFile(): string {
    return `${this.options.dir}.reserve`;
  }

  private quarantineDir(): string {
    return path.join(this.options.dir, 'quarantine');
  }

  /** Real blocks (random bytes: a compressing file system cannot shrink them), fsync'd, then renamed into place. */
  private async makeReserve(bytes: number): Promise<void> {
    const file = this.reserveFile();
    const existing = await stat(file).catch(() => null);
    if (existing?.size === bytes) {
      this.reserveHeld = true;
      return;
    }
    const scratch = `${file}.tmp`;
    try {
      const handle = await open(scratch, 'w');
      try {
        const chunk = randomBytes(Math.min(bytes, 1024 * 1024));
        for (let written = 0; written < bytes; written += chunk.length)
          await handle.write(chunk, 0, Math.min(chunk.length, bytes - written));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(scratch, file);
      this.reserveHeld = true;
      this.options.log.info({ bytes }, 'usage spool: disk space reserved for usage records');
    } catch (err) {
      await rm(scratch, { force: true });
      this.options.log.warn({ err: String(err) }, 'usage spool: could not reserve disk space; refusing new invocations until it can');
    }
  }

  private async releaseReserve(): Promise<boolean> {
    if (!this.reserveHeld) return false;
    this.reserveHeld = false;
    await unlink(this.reserveFile()).catch(() => undefined);
    return true;
  }

  private async write(data: Buffer, records: number): Promise<void> {
    if (this.current && this.sealDue(this.current, data.length)) await this.seal();
    const current = this.current ?? (await this.createSegment());
    const started = process.hrtime.bigint();
    let offset = 0;
    try {
      while (offset < data.length) {
        const { bytesWritten } = await current.handle.write(data, offset, data.length - offset, current.bytes + offset);
        offset += bytesWritten;
      }
    } catch (err) {
      await this.abandon(current);
      throw err;
    }
    this.wrote(current, data.length, records, started);
  }

  /**
   * The write on the spot: when the caller is the only invocation in flight and the spool is idle, the
   * record is written with `writeSync` on the event loop instead of through libuv's thread pool,
   * which saves the two thread wake-ups (the pool's futex, its eventfd back) that a lone invocation
   * otherwise waits for. Under load the loop has other work, so appends take the thread pool and
   * group commit as before; a disk whose writes take over `spotWriteMaxUs` on average is never written
   * on the spot (the loop would stall that long). False: not taken, or it failed; the caller takes the
   * ordinary path, which retries (and gives up the reserve on a full disk).
   */
  private writeNow(data: string, records: number): boolean {
    const current = this.current;
    const maxUs = this.options.spotWriteMaxUs ?? 1_000;
    if (!current || this.ioPending > 0 || this.flushing || this.waiting.length > 0 || this.writeUs > maxUs || maxUs === 0) return false;
    const buffer = Buffer.from(data);
    if (this.sealDue(current, buffer.length)) return false;
    const started = process.hrtime.bigint();
    let offset = 0;
    try {
      while (offset < buffer.length) offset += writeSync(current.handle.fd, buffer, offset, buffer.length - offset, current.bytes + offset);
    } catch {
      if (offset > 0) {
        // A torn line: nothing more goes into this segment (as in write()).
        this.current = null;
        void this.serial(() => this.abandon(current));
      }
      return false;
    }
    this.wrote(current, buffer.length, records, started);
    this.spotWrites += 1;
    return true;
  }

  private sealDue(current: Segment, bytes: number): boolean {
    const maxBytes = this.options.maxSegmentBytes ?? 1024 * 1024;
    const maxAgeMs = this.options.maxSegmentAgeMs ?? 60_000;
    return current.bytes > 0 && (current.bytes + bytes > maxBytes || Date.now() - current.openedAt > maxAgeMs);
  }

  private wrote(current: Segment, bytes: number, records: number, started: bigint): void {
    const us = Number(process.hrtime.bigint() - started) / 1000;
    this.writeUs = this.writeUs === 0 ? us : this.writeUs * 0.9 + us * 0.1;
    current.bytes += bytes;
    const name = segmentName(current.seq);
    const held = this.backlog.get(name);
    if (held) held.records += records;
    else this.backlog.set(name, { records, since: Date.now() });
    // O_DSYNC: the write itself returns once the data is durable (one syscall, not write + fdatasync).
    this.syncs += 1;
  }

  private async createSegment(): Promise<Segment> {
    const next = this.prepared ?? this.newSegment();
    this.prepared = null;
    this.preparedSeq = null;
    this.current = await next;
    this.current.openedAt = Date.now();
    this.prepare();
    return this.current;
  }

  /**
   * Starts making the next segment (its zeros written, its name made durable) while this one fills, so
   * that a seal does not wait for it: a folder fsync and up to a segment of zeros are slow.
   */
  private prepare(): void {
    if (this.closed || this.prepared) return;
    this.preparedSeq = this.nextSeq;
    this.prepared = this.newSegment();
    this.prepared.catch(() => undefined);
  }

  /**
   * A new segment file, written full of zeros first (`zeroBytes`, durable: the file is opened
   * `O_DSYNC`), so that the records written into it later are writes in place. On a disk too full for
   * the zeros it is zeroed as far as they went, and its records extend it past that as appends did.
   */
  private async newSegment(zeroBytes = this.zeroBytes()): Promise<Segment> {
    const seq = this.nextSeq++;
    const handle = await open(path.join(this.options.dir, segmentName(seq)), WRITE_DSYNC);
    let zeroed = 0;
    try {
      const zeros = Buffer.alloc(zeroBytes);
      while (zeroed < zeroBytes) zeroed += (await handle.write(zeros, zeroed, zeroBytes - zeroed, zeroed)).bytesWritten;
    } catch (err) {
      // A full disk: the segment is zeroed as far as it got; its records go on past that as appends.
      if (!DISK_FULL.has((err as NodeJS.ErrnoException).code ?? '')) {
        await handle.close().catch(() => undefined);
        throw err;
      }
    }
    // The new name must survive a crash too: sync the folder once per segment.
    await syncFolder(this.options.dir);
    return { seq, handle, bytes: 0, zeroed, openedAt: Date.now() };
  }

  /**
   * How much of a new segment to zero ahead: twice what the last sealed segment held (the write rate
   * over one seal's time, with room to spare), at least a page, at most a whole segment.
   */
  private zeroBytes(): number {
    const maxBytes = this.options.maxSegmentBytes ?? 1024 * 1024;
    const wanted = Math.ceil((2 * this.lastSealedBytes) / 4096) * 4096;
    return Math.min(maxBytes, Math.max(MIN_ZEROED_BYTES, wanted));
  }

  /**
   * A write failed part way: nothing more goes into this segment (the next record would be glued to a
   * torn line). What it held before stays pending; if it held nothing, it goes.
   */
  private async abandon(segment: Segment): Promise<void> {
    if (this.current === segment) this.current = null;
    await segment.handle.close().catch(() => undefined);
    if (segment.bytes === 0) await unlink(path.join(this.options.dir, segmentName(segment.seq))).catch(() => undefined);
  }

  private async seal(): Promise<void> {
    const current = this.current;
    this.current = null;
    if (current) {
      this.lastSealedBytes = current.bytes;
      await trimZeros(current);
      await current.handle.close();
    }
    this.prepare();
  }

  private async segmentNames(): Promise<string[]> {
    return (await readdir(this.options.dir)).filter((n) => SEGMENT.test(n)).sort();
  }

  /**
   * Parses a segment; a torn last line (a crash mid-write) is skipped, as is any unreadable line. The
   * zeros a segment was made with and never written over (a crash before it was sealed and trimmed)
   * are not a line.
   */
  private async readSegment(name: string): Promise<R[]> {
    const text = await readFile(path.join(this.options.dir, name), 'utf8');
    const lines = text.split('\n');
    const records: R[] = [];
    lines.forEach((line, i) => {
      if (line === '' || ZEROS.test(line)) return;
      try {
        records.push(JSON.parse(line) as R);
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
    this.ioPending += 1;
    const run = this.io.then(op, op);
    this.io = run
      .catch(() => undefined)
      .finally(() => {
        this.ioPending -= 1;
      });
    return run;
  }
}

/** The backlog counts usage records: an invocation's log lines travel beside its record, not as another. */
function usageCount(records: object[]): number {
  let n = 0;
  for (const r of records) if (!isSpooledLogs(r)) n += 1;
  return n;
}

/**
 * Whether a segment holds a complete record: every record is written with its newline in one write, and
 * is durable (and its invocation answered) only once that write returned. Without a newline a segment
 * holds zeros (made ahead, never written) or the start of a record a crash cut short ('torn').
 */
async function completeRecords(file: string): Promise<'some' | 'empty' | 'torn'> {
  const handle = await open(file, 'r');
  try {
    const chunk = Buffer.alloc(64 * 1024);
    let zeros = true;
    for (let at = 0; ; ) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, at);
      if (bytesRead === 0) return zeros ? 'empty' : 'torn';
      const read = chunk.subarray(0, bytesRead);
      if (read.includes(0x0a)) return 'some';
      zeros &&= read.every((b) => b === 0);
      at += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/** Removes quarantine files a crash or a failed write left half made (never renamed into place). */
async function removeQuarantineScratch(folder: string): Promise<void> {
  for (const name of await readdir(folder).catch(() => [] as string[])) {
    if (name.startsWith('.q-') && name.endsWith('.tmp')) await unlink(path.join(folder, name)).catch(() => undefined);
  }
}

/** Cuts a segment's unwritten zeros off (it takes no more records): sealed segments hold their records only. */
async function trimZeros(segment: Segment): Promise<void> {
  if (segment.zeroed > segment.bytes) await segment.handle.truncate(segment.bytes).catch(() => undefined);
}

function segmentName(seq: number): string {
  return `seg-${String(seq).padStart(12, '0')}.jsonl`;
}

/**
 * Earlier versions moved a whole segment to `rejected/` when the api refused one of its events. They
 * come back as ordinary segments, after the others: sent again, their good events are billed and only
 * the bad ones quarantined.
 */
async function adoptRejected(options: SpoolOptions, lastSeq: number): Promise<number> {
  const folder = path.join(options.dir, 'rejected');
  const names = (await readdir(folder).catch(() => [] as string[])).filter((n) => /^seg-\d{12}\.jsonl\.\d+$/.test(n)).sort();
  let seq = lastSeq;
  for (const name of names) {
    seq += 1;
    await rename(path.join(folder, name), path.join(options.dir, segmentName(seq)));
  }
  if (names.length > 0) {
    await syncFolder(options.dir);
    options.log.warn({ segments: names.length }, 'usage spool: segments an earlier version set aside in rejected/ are sent again');
  }
  return seq;
}
