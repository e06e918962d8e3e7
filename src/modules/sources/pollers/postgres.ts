import pg from 'pg';
import replication, { type Pgoutput } from 'pg-logical-replication';
import {
  type ChangePosition,
  type DynamoDbStreamRecord,
  type RelationInfo,
  relationInfo,
  type StreamChange,
  streamRecord,
} from '../dynamodb-stream.js';
import { slotLagBytes, userDb } from '../postgres-slot.js';
import { aborted, type PollerContext, withReconnect } from './poller.js';

const { PgoutputPlugin } = replication;

type RowMessage = Pgoutput.MessageInsert | Pgoutput.MessageUpdate | Pgoutput.MessageDelete;

/** The stream's items, in WAL order: a change, or a position that is safe to confirm once everything before it is done. */
type Item = { kind: 'change'; msg: RowMessage; rel: Promise<RelationInfo>; at: ChangePosition } | { kind: 'end'; lsn: bigint };
type Change = Extract<Item, { kind: 'change' }>;

/** Read no further from the socket past this many items (or two batches; a large transaction arrives whole): the walsender waits. */
const HIGH_WATER = 5_000;
const STATUS_EVERY_MS = 5_000;
const LAG_EVERY_MS = 2_000;
/** Microseconds from 1970 to 2000, Postgres' epoch. */
const PG_EPOCH_US = 946_684_800_000_000n;

const lsnOf = (s: string | null) => {
  if (!s) return 0n;
  const [hi, lo] = s.split('/');
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
};
const lsnText = (n: bigint) => `${(n >> 32n).toString(16).toUpperCase()}/${(n & 0xffffffffn).toString(16).toUpperCase()}`;

/** The fields of a pgoutput tuple as texts (the relation's parsers are made the identity, see below). */
type Tuple = Record<string, string | null | undefined>;

/** pg's Connection (the protocol stream), which its types do not show. */
interface ProtocolConnection {
  on(event: 'copyData', fn: (msg: { chunk: Buffer }) => void): void;
  sendCopyFromChunk(b: Buffer): void;
  stream: { pause(): void; resume(): void };
}

/**
 * A Postgres table change stream: logical replication (`pgoutput`, protocol 1) from the mapping's
 * slot and publication, delivered as DynamoDB Streams records in commit order, one batch at a
 * time. The slot's confirmed position moves (a standby status update's flush position) only past
 * transactions whose every change succeeded or reached the failure destination, so a poller that
 * stops or dies, or a Tally restart, resumes from the last confirmed transaction: at least once.
 */
export function pollPostgres(ctx: PollerContext): Promise<void> {
  const m = ctx.mapping;
  const slot = m.source.slot!;
  const build = (records: DynamoDbStreamRecord[]) => Buffer.from(JSON.stringify({ Records: records }));
  /** This session ran changes of a transaction whose end it has not confirmed (the runner is held meanwhile). */
  let partial = false;
  const setPartial = (on: boolean) => {
    partial = on;
    ctx.runner.hold(on);
  };

  return withReconnect(ctx, async () => {
    // A new session starts from the slot's confirmed position: nothing of it is part-run.
    setPartial(false);
    // A plain connection beside the replication one: the slot's position, relations' keys and types, the lag.
    const sql = await userDb(ctx.url, 'lookups');
    let stream: ReplicationStream | null = null;
    const timers: NodeJS.Timeout[] = [];
    try {
      const s = await sql.query<{ lsn: string | null }>(
        'select confirmed_flush_lsn::text as lsn from pg_replication_slots where slot_name = $1',
        [slot],
      );
      if (s.rowCount === 0)
        throw new Error(`replication slot ${slot} does not exist (dropped on the database?); the mapping cannot resume`);
      stream = await openStream(ctx.url, {
        slot,
        publication: m.source.publication!,
        from: lsnOf(s.rows[0]!.lsn),
        sql,
        batchSize: m.batchSize,
      });
      sql.on('end', () => stream?.fail(new Error('the lookup connection ended')));
      ctx.subscribed();
      ctx.log.debug({ slot, from: lsnText(stream.confirmed()) }, 'streaming table changes');

      timers.push(setInterval(() => stream?.sendStatus(true), STATUS_EVERY_MS));
      let measuring = false;
      timers.push(
        setInterval(() => {
          if (measuring) return;
          measuring = true;
          slotLagBytes(sql, slot)
            .then(ctx.lag, () => {})
            .finally(() => {
              measuring = false;
            });
        }, LAG_EVERY_MS),
      );

      const stop = aborted(ctx.signal);
      // Finishing for a change of the mapping, a poller that ran part of a transaction runs the rest first (with the
      // settings it has): the slot resends a transaction from its start to whatever it is not confirmed for.
      while (!ctx.signal.aborted && !(ctx.runner.finishing && !partial)) {
        const batch = await nextBatch(stream, stop);
        if (!batch) continue;
        const records: DynamoDbStreamRecord[] = [];
        for (const c of batch.changes) {
          records.push(
            streamRecord({ region: ctx.region, accountId: m.accountId, mappingId: m.id, change: toChange(c.msg, await c.rel), at: c.at }),
          );
        }
        // Held before a batch that ends inside a transaction runs (so finishing waits for the rest), released only
        // once a batch that ends one is confirmed.
        if (batch.partial) setPartial(true);
        await ctx.runner.run(records, (r) => r.dynamodb.SequenceNumber, build, { bisect: !m.reportItemFailures, fromFirstFailure: true });
        // Only whole transactions are confirmed: a batch that ends inside one confirms the transaction before it.
        if (batch.through !== null) stream.confirm(batch.through);
        if (!batch.partial) setPartial(false);
      }
    } finally {
      for (const t of timers) clearInterval(t);
      await stream?.close();
      await sql.end().catch(() => {});
    }
  });

  /**
   * Confirms the positions at the head, then waits for a change and fills a batch (up to batchSize,
   * or for the batching window): its changes and the last transaction end among them, or null when
   * nothing came (the poller stopping). Rejects once the connection failed: a dead connection
   * confirms nothing, and what it delivered comes again from the slot in the next session.
   */
  async function nextBatch(
    stream: ReplicationStream,
    stop: Promise<void>,
  ): Promise<{ changes: Change[]; through: bigint | null; partial: boolean } | null> {
    const { items } = stream;
    stream.check();
    while (items.peek()?.kind === 'end') {
      stream.confirm((items.shift() as { lsn: bigint }).lsn);
      setPartial(false);
    }
    if (ctx.runner.finishing && !partial) return null;
    if (items.length === 0) {
      await Promise.race([stream.arrival(), stream.ended, stop]);
      return null;
    }
    if (stream.changes() < m.batchSize && m.batchingWindowMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      let over = false;
      const windowOver = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          over = true;
          resolve();
        }, m.batchingWindowMs);
      });
      try {
        while (stream.changes() < m.batchSize && !over && !ctx.signal.aborted) {
          await Promise.race([stream.arrival(), windowOver, stream.ended, stop]);
        }
      } finally {
        clearTimeout(timer);
      }
    }
    const changes: Change[] = [];
    let through: bigint | null = null;
    let inside = false;
    for (let head = items.peek(); head && !(head.kind === 'change' && changes.length === m.batchSize); head = items.peek()) {
      // Finishing, the batch ends with the transaction it was part-way through: no change of the next one.
      if (head.kind === 'change' && ctx.runner.finishing && through !== null) break;
      items.shift();
      if (head.kind === 'change') changes.push(head);
      else through = head.lsn;
      inside = head.kind === 'change';
    }
    return { changes, through, partial: inside };
  }
}

type ReplicationStream = Awaited<ReturnType<typeof openStream>>;

/**
 * One replication connection: START_REPLICATION from the slot's confirmed position, its messages
 * decoded into items in WAL order, the socket paused while too many wait, and standby status
 * updates that confirm `confirmed()` and nothing further.
 *
 * pg-logical-replication decodes the pgoutput messages; the connection itself is driven here on
 * `pg`, because that library's service confirms every received message's LSN + 1 on a timer (it
 * would confirm what has not been processed, and + 1 can skip a transaction whose commit record
 * starts where the previous one ended).
 */
async function openStream(url: string, o: { slot: string; publication: string; from: bigint; sql: pg.Client; batchSize: number }) {
  const highWater = Math.max(HIGH_WATER, 2 * o.batchSize);
  const client = new pg.Client({
    connectionString: url,
    replication: 'database',
    application_name: 'tally-event-source',
  } as pg.ClientConfig);
  client.on('error', () => {}); // the replication query below rejects with it
  await client.connect();
  // biome-ignore lint/suspicious/noExplicitAny: see ProtocolConnection
  const conn = (client as any).connection as ProtocolConnection;

  let confirmed = o.from;
  let failure: Error | null = null;
  let reject: (err: Error) => void = () => {};
  const ended = new Promise<never>((_, r) => {
    reject = r;
  });
  ended.catch(() => {});
  /** The stream's end, a message that cannot be read, a write that failed: the session ends (and starts again from the slot). */
  const fail = (err: unknown) => {
    failure ??= err instanceof Error ? err : new Error(String(err));
    reject(failure);
  };

  const items = new Fifo<Item>();
  let changes = 0;
  let paused = false;
  let wake: () => void = () => {};
  const push = (item: Item) => {
    items.push(item);
    if (item.kind === 'change') changes++;
    if (items.length > highWater && !paused) {
      paused = true;
      conn.stream.pause();
    }
    wake();
  };
  items.onShift = (item) => {
    if (item.kind === 'change') changes--;
    if (paused && items.length < highWater / 2) {
      paused = false;
      conn.stream.resume();
    }
  };

  /** Standby status update: written, flushed and applied up to `confirmed`, nothing further. */
  const sendStatus = (replyRequested: boolean) => {
    if (failure) return;
    const b = Buffer.alloc(34);
    b.write('r', 0);
    b.writeBigUInt64BE(confirmed, 1);
    b.writeBigUInt64BE(confirmed, 9);
    b.writeBigUInt64BE(confirmed, 17);
    b.writeBigUInt64BE(BigInt(Date.now()) * 1000n - PG_EPOCH_US, 25);
    b.writeUInt8(replyRequested ? 1 : 0, 33);
    try {
      conn.sendCopyFromChunk(b);
    } catch (err) {
      fail(err);
    }
  };

  const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: [o.publication] });
  const relations = new Map<number, Promise<RelationInfo>>();
  let txn: ChangePosition | null = null;
  const onCopyData = (chunk: Buffer) => {
    if (chunk[0] === 0x6b) {
      // Primary keepalive: outside a transaction everything up to its WAL end has been sent, so it
      // may be confirmed once what came before is done (as Postgres' own subscriber does).
      const walEnd = chunk.readBigUInt64BE(1);
      if (!txn) {
        const last = items.last();
        if (last?.kind !== 'end') push({ kind: 'end', lsn: walEnd });
        else if (walEnd > last.lsn) last.lsn = walEnd;
      }
      if (chunk[17]) sendStatus(false);
      return;
    }
    if (chunk[0] !== 0x77) return; // XLogData: 'w', start, end, send time, then the pgoutput message
    const msg = plugin.parse(chunk.subarray(25));
    switch (msg.tag) {
      case 'begin':
        txn = { commitLsn: lsnOf(msg.commitLsn), index: 0, commitTimeUs: msg.commitTime as bigint };
        break;
      case 'relation': {
        // Texts as sent (the library would parse them with pg's type parsers): typed by kind in dynamodb-stream.ts.
        for (const col of msg.columns) col.parser = (raw: unknown) => raw;
        const info = relationInfo(o.sql, msg);
        info.catch(() => {});
        relations.set(msg.relationOid, info);
        break;
      }
      case 'insert':
      case 'update':
      case 'delete': {
        const rel = relations.get(msg.relation.relationOid);
        if (!txn || !rel) throw new Error(`a ${msg.tag} arrived outside a transaction or before its relation`);
        push({ kind: 'change', msg, rel, at: { ...txn, index: txn.index++ } });
        break;
      }
      case 'commit':
        txn = null;
        push({ kind: 'end', lsn: lsnOf(msg.commitEndLsn) });
        break;
      default:
        // truncate (no DynamoDB counterpart), origin, type, message: nothing to deliver.
        break;
    }
  };
  conn.on('copyData', ({ chunk }) => {
    if (failure) return;
    try {
      onCopyData(chunk);
    } catch (err) {
      fail(err);
    }
  });

  // 0/0: from the slot's confirmed position. The names passed the service's check (lower-case, digits, underscores).
  client
    .query(`START_REPLICATION SLOT "${o.slot}" LOGICAL 0/0 (proto_version '1', publication_names '${o.publication}')`)
    .then(() => fail(new Error('the replication stream ended')), fail);

  return {
    items,
    ended,
    changes: () => changes,
    confirmed: () => confirmed,
    arrival: () =>
      new Promise<void>((resolve) => {
        wake = resolve;
      }),
    /** Throws the connection's failure, if any. */
    check(): void {
      if (failure) throw failure;
    },
    fail,
    sendStatus,
    confirm(lsn: bigint): void {
      if (lsn <= confirmed) return;
      confirmed = lsn;
      sendStatus(false);
    },
    async close(): Promise<void> {
      failure ??= new Error('closed');
      await client.end().catch(() => {});
    },
  };
}

/** A first-in first-out queue whose shift does not move the rest (Array#shift does, for every item). */
class Fifo<T> {
  private buf: T[] = [];
  private head = 0;
  onShift: (item: T) => void = () => {};
  get length(): number {
    return this.buf.length - this.head;
  }
  push(item: T): void {
    this.buf.push(item);
  }
  peek(): T | undefined {
    return this.buf[this.head];
  }
  last(): T | undefined {
    return this.length > 0 ? this.buf[this.buf.length - 1] : undefined;
  }
  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.buf[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.buf.length) {
      this.buf = this.buf.slice(this.head);
      this.head = 0;
    }
    this.onShift(item);
    return item;
  }
}

function toChange(msg: RowMessage, rel: RelationInfo): StreamChange {
  switch (msg.tag) {
    case 'insert':
      return { kind: 'insert', rel, key: null, old: null, new: msg.new as Tuple };
    case 'update':
      return { kind: 'update', rel, key: msg.key as Tuple | null, old: msg.old as Tuple | null, new: msg.new as Tuple };
    case 'delete':
      return { kind: 'delete', rel, key: msg.key as Tuple | null, old: msg.old as Tuple | null, new: null };
  }
}
