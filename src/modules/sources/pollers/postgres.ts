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

/** The stream's items, in WAL order: a change, or a position that is safe to confirm once everything before it is done. */
type Item =
  | {
      kind: 'change';
      msg: Pgoutput.MessageInsert | Pgoutput.MessageUpdate | Pgoutput.MessageDelete;
      rel: Promise<RelationInfo>;
      at: ChangePosition;
    }
  | { kind: 'end'; lsn: bigint };

/** Read no further from the socket past this many items (or two batches; a large transaction arrives whole): the walsender waits. */
const HIGH_WATER = 5_000;
const STATUS_EVERY_MS = 5_000;
const LAG_EVERY_MS = 2_000;

const lsnOf = (s: string | null) => {
  if (!s) return 0n;
  const [hi, lo] = s.split('/');
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
};
const lsnText = (n: bigint) => `${(n >> 32n).toString(16).toUpperCase()}/${(n & 0xffffffffn).toString(16).toUpperCase()}`;

/** The fields of a pgoutput tuple as texts (the relation's parsers are made the identity, see below). */
type Tuple = Record<string, string | null | undefined>;

/**
 * A Postgres table change stream: logical replication (`pgoutput`, protocol 1) from the mapping's
 * slot and publication, delivered as DynamoDB Streams records in commit order, one batch at a
 * time. The slot's confirmed position moves (a standby status update's flush position) only past
 * transactions whose every change succeeded or reached the failure destination, so a poller that
 * stops or dies, or a Tally restart, resumes from the last confirmed transaction: at least once.
 *
 * pg-logical-replication decodes the pgoutput messages; the replication connection itself is
 * driven here on `pg`, because that library's service confirms every received message's LSN + 1
 * on a timer (it would confirm what has not been processed, and + 1 can skip a transaction whose
 * commit record starts where the previous one ended).
 */
export function pollPostgres(ctx: PollerContext): Promise<void> {
  const m = ctx.mapping;
  const slot = m.source.slot!;
  const publication = m.source.publication!;
  const build = (records: DynamoDbStreamRecord[]) => Buffer.from(JSON.stringify({ Records: records }));
  const highWater = Math.max(HIGH_WATER, 2 * m.batchSize);

  return withReconnect(ctx, async () => {
    const sql = await userDb(ctx.url, 'lookups');
    let repl: pg.Client | null = null;
    const timers: NodeJS.Timeout[] = [];
    try {
      const s = await sql.query<{ lsn: string | null }>(
        `select confirmed_flush_lsn::text as lsn from pg_replication_slots where slot_name = $1`,
        [slot],
      );
      if (s.rowCount === 0)
        throw new Error(`replication slot ${slot} does not exist (dropped on the database?); the mapping cannot resume`);
      let confirmed = lsnOf(s.rows[0]!.lsn);

      repl = new pg.Client({
        connectionString: ctx.url,
        replication: 'database',
        application_name: 'tally-event-source',
      } as pg.ClientConfig);
      repl.on('error', () => {}); // the replication query below rejects with it
      await repl.connect();
      // biome-ignore lint/suspicious/noExplicitAny: pg's Connection (the protocol stream) is not in its types
      const conn = (repl as any).connection as {
        on(event: 'copyData', fn: (msg: { chunk: Buffer }) => void): void;
        sendCopyFromChunk(b: Buffer): void;
        stream: { pause(): void; resume(): void };
      };

      const queue: Item[] = [];
      let changes = 0;
      let wake: () => void = () => {};
      let paused = false;
      const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: [publication] });
      const relations = new Map<number, Promise<RelationInfo>>();
      let txn: ChangePosition | null = null;

      /** Standby status update: written, flushed and applied up to `confirmed`, nothing further. */
      const sendStatus = (replyRequested: boolean) => {
        if (failure) return;
        const b = Buffer.alloc(34);
        b.write('r', 0);
        b.writeBigUInt64BE(confirmed, 1);
        b.writeBigUInt64BE(confirmed, 9);
        b.writeBigUInt64BE(confirmed, 17);
        b.writeBigUInt64BE(BigInt(Date.now() - 946_684_800_000) * 1000n, 25);
        b.writeUInt8(replyRequested ? 1 : 0, 33);
        try {
          conn.sendCopyFromChunk(b);
        } catch (err) {
          broken(err);
        }
      };
      const confirm = (lsn: bigint) => {
        if (lsn <= confirmed) return;
        confirmed = lsn;
        sendStatus(false);
      };
      const push = (item: Item) => {
        queue.push(item);
        if (item.kind === 'change') changes++;
        if (queue.length > highWater && !paused) {
          paused = true;
          conn.stream.pause();
        }
        wake();
      };
      const shift = (): Item => {
        const item = queue.shift()!;
        if (item.kind === 'change') changes--;
        if (paused && queue.length < highWater / 2) {
          paused = false;
          conn.stream.resume();
        }
        return item;
      };

      // The stream's end or a message that cannot be read: the session ends (and starts again from the slot).
      let failure: Error | null = null;
      let reject: (err: Error) => void = () => {};
      const ended = new Promise<never>((_, r) => {
        reject = r;
      });
      ended.catch(() => {});
      const broken = (err: unknown) => {
        failure ??= err instanceof Error ? err : new Error(String(err));
        reject(failure);
      };
      conn.on('copyData', ({ chunk }) => {
        if (failure) return;
        try {
          onCopyData(chunk);
        } catch (err) {
          broken(err);
        }
      });
      const onCopyData = (chunk: Buffer) => {
        if (chunk[0] === 0x6b) {
          // Primary keepalive: outside a transaction everything up to its WAL end has been sent, so
          // it may be confirmed once what came before is done (as Postgres' own subscriber does).
          const walEnd = chunk.readBigUInt64BE(1);
          if (!txn) {
            const last = queue[queue.length - 1];
            if (last?.kind !== 'end') push({ kind: 'end', lsn: walEnd });
            else if (walEnd > last.lsn) last.lsn = walEnd;
          }
          if (chunk[17]) sendStatus(false);
          return;
        }
        if (chunk[0] !== 0x77) return;
        const msg = plugin.parse(chunk.subarray(25));
        switch (msg.tag) {
          case 'begin':
            txn = { commitLsn: lsnOf(msg.commitLsn), index: 0, commitTimeUs: msg.commitTime as bigint };
            break;
          case 'relation': {
            // Texts as sent (the library would parse them with pg's type parsers): typed by kind in dynamodb-stream.ts.
            for (const col of msg.columns) col.parser = (raw: unknown) => raw;
            const info = relationInfo(sql, msg);
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

      repl
        .query(`START_REPLICATION SLOT "${slot}" LOGICAL 0/0 (proto_version '1', publication_names '${publication}')`)
        .then(() => broken(new Error('the replication stream ended')), broken);
      ctx.subscribed();
      ctx.log.debug({ slot, from: lsnText(confirmed) }, 'streaming table changes');

      timers.push(setInterval(() => sendStatus(true), STATUS_EVERY_MS));
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

      const arrival = () =>
        new Promise<void>((resolve) => {
          wake = resolve;
        });
      const stop = aborted(ctx.signal);

      while (!ctx.signal.aborted) {
        // A dead connection cannot confirm anything: what it delivered comes again from the slot in the next session.
        if (failure) throw failure;
        while (queue[0]?.kind === 'end') confirm((shift() as { lsn: bigint }).lsn);
        if (queue.length === 0) {
          await Promise.race([arrival(), ended, stop]);
          continue;
        }
        // A change waits at the head: the batch fills up to batchSize or for the batching window.
        if (changes < m.batchSize && m.batchingWindowMs > 0) {
          let timer: NodeJS.Timeout | undefined;
          let over = false;
          const windowOver = new Promise<void>((resolve) => {
            timer = setTimeout(() => {
              over = true;
              resolve();
            }, m.batchingWindowMs);
          });
          try {
            while (changes < m.batchSize && !over && !ctx.signal.aborted) await Promise.race([arrival(), windowOver, ended, stop]);
          } finally {
            clearTimeout(timer);
          }
        }
        const taken: Extract<Item, { kind: 'change' }>[] = [];
        let through: bigint | null = null;
        while (queue.length > 0) {
          const head = queue[0]!;
          if (head.kind === 'change' && taken.length === m.batchSize) break;
          const item = shift();
          if (item.kind === 'change') taken.push(item);
          else through = item.lsn;
        }
        const records: DynamoDbStreamRecord[] = [];
        for (const t of taken)
          records.push(streamRecord({ accountId: m.accountId, mappingId: m.id, change: toChange(t.msg, await t.rel), at: t.at }));
        await ctx.runner.run(records, (r) => r.dynamodb.SequenceNumber, build, { bisect: !m.reportItemFailures, fromFirstFailure: true });
        // Only whole transactions are confirmed: a batch that ends inside one confirms the transaction before it.
        if (through !== null) confirm(through);
      }
    } finally {
      for (const t of timers) clearInterval(t);
      await repl?.end().catch(() => {});
      await sql.end().catch(() => {});
    }
  });
}

function toChange(msg: Pgoutput.MessageInsert | Pgoutput.MessageUpdate | Pgoutput.MessageDelete, rel: RelationInfo): StreamChange {
  switch (msg.tag) {
    case 'insert':
      return { kind: 'insert', rel, key: null, old: null, new: msg.new as Tuple };
    case 'update':
      return { kind: 'update', rel, key: msg.key as Tuple | null, old: msg.old as Tuple | null, new: msg.new as Tuple };
    case 'delete':
      return { kind: 'delete', rel, key: msg.key as Tuple | null, old: msg.old as Tuple | null, new: null };
  }
}
