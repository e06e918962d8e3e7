import { Redis } from 'ioredis';
import { sleep } from '../batch-runner.js';
import { type StreamRecord, streamEvent } from '../source-events.js';
import type { Mapping } from '../sources.repository.js';
import { type PollerContext, withReconnect } from './poller.js';

type Entry = [id: string, fields: string[]];

const toRecord = (stream: string, [id, fields]: Entry): StreamRecord => {
  const values: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) values[fields[i]!] = fields[i + 1]!;
  return { id, body: { stream, fields: values } };
};

/**
 * A Redis stream through a consumer group (default `tally-<mapping id>`, made at the stream's start
 * for TRIM_HORIZON or its end for LATEST). One batch at a time, in stream order (with
 * `maximumConcurrency` above 1, that many batches at once: order then holds within a batch only); entries pending for
 * longer than the lease (a dead poller's) are reclaimed with XAUTOCLAIM first, then new ones read
 * with XREADGROUP. A batch's entries are XACKed once each succeeded or reached the failure
 * destination; anything else stays pending and is reclaimed.
 */
export function pollRedis(ctx: PollerContext): Promise<void> {
  const m = ctx.mapping;
  const stream = m.source.stream!;
  const group = m.source.group ?? `tally-${m.id}`;
  const consumer = `tally-${ctx.holder}`;
  const build = (records: StreamRecord[]) =>
    Buffer.from(streamEvent({ region: ctx.region, accountId: m.accountId, mappingId: m.id, eventSource: 'tally:redis', records }));
  const open = async () => {
    const r = new Redis(ctx.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 2,
      retryStrategy: () => null,
      enableOfflineQueue: false,
      connectionName: `tally-${m.id}`,
    });
    r.on('error', () => {});
    await r.connect();
    return r;
  };
  return withReconnect(ctx, async () => {
    // One connection per batch run at once: a blocking read holds its connection.
    const conns: Redis[] = [];
    try {
      for (let i = 0; i < m.maximumConcurrency; i++) conns.push(await open());
      try {
        await conns[0]!.xgroup('CREATE', stream, group, m.source.startingPosition === 'LATEST' ? '$' : '0', 'MKSTREAM');
      } catch (err) {
        if (!(err instanceof Error) || !err.message.includes('BUSYGROUP')) throw err;
      }
      ctx.subscribed();
      await Promise.all(conns.map((redis, i) => work(redis, i === 0)));
    } finally {
      for (const c of conns) c.disconnect();
    }
  });

  /**
   * One batch at a time on one connection. The next batch is read while the current one runs (the
   * invocations stay one after another); acknowledgements are pipelined, not waited for. The first
   * loop also measures the lag and reclaims entries a dead poller left pending.
   */
  async function work(redis: Redis, first: boolean): Promise<void> {
    let lagAt = 0;
    let claimAt = 0;
    /**
     * The last XAUTOCLAIM filled a batch: there may be more behind it (a read-ahead handed back by a poller that
     * finished for a change, larger than this poller's batch), claimed at once and before anything is read anew.
     */
    let claimMore = false;
    let next: Promise<Entry[]> | null = null;
    /** Read, and not to be run by this poller (it is finishing for a change of the mapping). */
    let unrun: Entry[] = [];
    const acks: Promise<unknown>[] = [];
    try {
      while (!ctx.signal.aborted && !ctx.runner.finishing) {
        if (first && Date.now() - lagAt > 2_000) {
          lagAt = Date.now();
          await measureLag(redis, stream, group).then(ctx.lag, () => {});
        }
        let entries: Entry[] = [];
        if (first && (claimMore || Date.now() - claimAt > Math.max(250, ctx.leaseMs / 2))) {
          // Entries a dead poller read and never acknowledged, idle for longer than a lease.
          claimAt = Date.now();
          const claimed = (await redis.call(
            'XAUTOCLAIM',
            stream,
            group,
            consumer,
            String(ctx.leaseMs),
            '0-0',
            'COUNT',
            String(m.batchSize),
          )) as unknown[];
          entries = asEntries(claimed[1]);
          claimMore = entries.length >= m.batchSize;
        }
        if (entries.length === 0) {
          entries = next ? await next : await read(redis, m.batchSize, 1_000);
          next = null;
        }
        if (entries.length > 0 && entries.length < m.batchSize && m.batchingWindowMs > 0) {
          // A change of the mapping stops an idle poller during its window: what it read is handed back then too.
          unrun = entries;
          await sleep(m.batchingWindowMs, ctx.signal);
          unrun = [];
          entries = entries.concat(await read(redis, m.batchSize - entries.length, null));
        }
        if (entries.length === 0) continue;
        // Checked right before the run starts (no await between): a runner finishing refuses new batches.
        if (ctx.runner.finishing) {
          unrun = entries;
          break;
        }
        // No read ahead while claimed entries may remain (they go first, to keep the stream's order), nor over one
        // still unread (a batch just claimed ran before it): it would be dropped, and reclaimed only a lease later.
        if (!claimMore && next === null) {
          next = read(redis, m.batchSize, null);
          next.catch(() => {});
        }
        await ctx.runner.run(
          entries.map((e) => toRecord(stream, e)),
          (r) => r.id,
          build,
          // Without ReportBatchItemFailures a failing batch is split in halves (run in order), so that one poison entry
          // does not send its neighbours to the failure destination (or drop them, without one).
          { bisect: true },
        );
        const ack = redis.xack(stream, group, ...entries.map((e) => e[0]));
        // Marked handled now: on a connection the broker dropped (a restart) the XACK rejects at once,
        // before anything awaits it, and an unhandled rejection ends the whole api process. The
        // entries then stay pending and are reclaimed; Promise.all and allSettled still see the error.
        ack.catch(() => {});
        acks.push(ack);
        if (acks.length > 16) await Promise.all(acks.splice(0));
      }
    } finally {
      await Promise.allSettled(acks);
      const ahead = next ? await next.catch(() => [] as Entry[]) : [];
      if (ctx.runner.finishing) await handBack(redis, [...unrun, ...ahead]).catch(() => {});
    }
  }

  /**
   * Entries read but not run when the poller finishes for a change of the mapping (a batch read ahead, or one read
   * as the change came): they stay pending, and are
   * marked idle for a lease so that the next poller's first XAUTOCLAIM takes them at once, before it reads new
   * ones, keeping their place in the stream's order. Should this fail, they are reclaimed a lease later anyway.
   */
  async function handBack(redis: Redis, entries: Entry[]): Promise<void> {
    if (entries.length === 0 || redis.status !== 'ready') return;
    await redis.call('XCLAIM', stream, group, consumer, '0', ...entries.map((e) => e[0]), 'IDLE', String(ctx.leaseMs), 'JUSTID');
  }

  async function read(redis: Redis, count: number, blockMs: number | null): Promise<Entry[]> {
    const args: (string | number)[] = ['GROUP', group, consumer, 'COUNT', count];
    if (blockMs !== null) args.push('BLOCK', blockMs);
    return streamEntries(await redis.call('XREADGROUP', ...args, 'STREAMS', stream, '>'));
  }
}

/** Entries as the server sent them; an entry deleted while pending has no fields and is skipped (XAUTOCLAIM drops it). */
function asEntries(raw: unknown): Entry[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter((e): e is Entry => Array.isArray(e) && typeof e[0] === 'string' && Array.isArray(e[1]));
}

/**
 * XREADGROUP's entries for the one stream read: RESP2 answers `[[stream, entries]]`, while the
 * RESP3 map ioredis 6 reads comes flattened as `[stream, entries]`.
 */
export function streamEntries(reply: unknown): Entry[] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  return typeof reply[0] === 'string' ? asEntries(reply[1]) : asEntries((reply[0] as unknown[] | undefined)?.[1]);
}

/** The group's lag (entries not yet delivered) plus its pending entries. */
async function measureLag(redis: Redis, stream: string, group: string): Promise<bigint | null> {
  const groups = (await redis.call('XINFO', 'GROUPS', stream)) as (string | number | null)[][];
  for (const g of groups) {
    const info: Record<string, string | number | null> = {};
    for (let i = 0; i + 1 < g.length; i += 2) info[String(g[i])] = g[i + 1]!;
    if (info.name === group) return BigInt(Number(info.lag ?? 0) + Number(info.pending ?? 0));
  }
  return null;
}

/** Destroys the consumer group Tally made for a deleted mapping (`tally-<id>`; one the user named stays). Idempotent. */
export async function forgetRedis(m: Mapping, url: string): Promise<void> {
  if (m.source.group || !m.source.stream) return;
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null, enableOfflineQueue: false });
  r.on('error', () => {});
  try {
    await r.connect();
    await r.xgroup('DESTROY', m.source.stream, `tally-${m.id}`).catch((err: unknown) => {
      if (!/no such key/i.test(String(err))) throw err;
    });
  } finally {
    r.disconnect();
  }
}
