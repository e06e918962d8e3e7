import { AckPolicy, connect, DeliverPolicy, type JsMsg, nanos, type NatsConnection } from 'nats';
import { Stopped } from '../batch-runner.js';
import { type StreamRecord, streamEvent } from '../source-events.js';
import type { Mapping } from '../sources.repository.js';
import { aborted, type PollerContext, withReconnect } from './poller.js';

/** nats.js takes servers as host:port and the credentials apart. */
function connectOptions(url: string) {
  const u = new URL(url);
  const user = decodeURIComponent(u.username);
  const pass = decodeURIComponent(u.password);
  return {
    servers: `${u.hostname}:${u.port || '4222'}`,
    ...(user && pass ? { user, pass } : user ? { token: user } : {}),
    ...(u.protocol === 'tls:' ? { tls: {} } : {}),
    reconnect: false,
    name: 'tally-event-source',
  };
}

const toRecord = (stream: string, msg: JsMsg): StreamRecord => ({
  id: String(msg.seq),
  body: {
    stream,
    subject: msg.subject,
    sequence: msg.seq,
    redelivered: msg.redelivered,
    ...(msg.headers?.get('Nats-Msg-Id') ? { natsMsgId: msg.headers.get('Nats-Msg-Id') } : {}),
    data: Buffer.from(msg.data).toString('base64'),
  },
});

/**
 * A NATS JetStream stream through a durable pull consumer (default `tally-<mapping id>`, made with
 * explicit acks, delivering from the start for TRIM_HORIZON or new messages for LATEST, filtered by
 * `subject`). One batch at a time, in order; messages are kept from redelivery while their batch
 * runs (`working`), acknowledged (with the server's confirmation) once done, and rejected (`nak`)
 * when the poller stops. A dead poller's messages come back after the ack wait (the lease time).
 */
export function pollNats(ctx: PollerContext): Promise<void> {
  const m = ctx.mapping;
  const stream = m.source.stream!;
  const durable = m.source.group ?? `tally-${m.id}`;
  const ackWaitMs = Math.max(1_000, ctx.leaseMs);
  const build = (records: StreamRecord[]) =>
    Buffer.from(streamEvent({ region: ctx.region, accountId: m.accountId, mappingId: m.id, eventSource: 'tally:nats', records }));
  return withReconnect(ctx, async () => {
    const nc: NatsConnection = await connect(connectOptions(ctx.url));
    try {
      const jsm = await nc.jetstreamManager();
      try {
        await jsm.consumers.info(stream, durable);
      } catch {
        await jsm.consumers.add(stream, {
          durable_name: durable,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: m.source.startingPosition === 'LATEST' ? DeliverPolicy.New : DeliverPolicy.All,
          ack_wait: nanos(ackWaitMs),
          ...(m.source.subject ? { filter_subject: m.source.subject } : {}),
        });
      }
      const consumer = await nc.jetstream().consumers.get(stream, durable);
      ctx.subscribed();
      const closed = nc.closed().then(() => {
        throw new Error('the NATS connection closed');
      });
      closed.catch(() => {});
      let lagAt = 0;
      while (!ctx.signal.aborted && !ctx.runner.finishing && !nc.isClosed()) {
        if (Date.now() - lagAt > 2_000) {
          lagAt = Date.now();
          await consumer.info().then(
            (i) => ctx.lag(BigInt(i.num_pending + i.num_ack_pending)),
            () => {},
          );
        }
        const msgs: JsMsg[] = [];
        const batch = await consumer.fetch({ max_messages: m.batchSize, expires: Math.max(1_000, m.batchingWindowMs) });
        const stop = () => batch.stop();
        ctx.signal.addEventListener('abort', stop, { once: true });
        for await (const msg of batch) msgs.push(msg);
        ctx.signal.removeEventListener('abort', stop);
        if (msgs.length === 0) continue;
        const keepAlive = setInterval(
          () => {
            for (const x of msgs) x.working();
          },
          Math.max(300, ackWaitMs / 3),
        );
        try {
          await ctx.runner.run(
            msgs.map((x) => toRecord(stream, x)),
            (r) => r.id,
            build,
            // Split in halves when it fails without ReportBatchItemFailures: only the poison message is given up.
            { bisect: true },
          );
          await Promise.all(msgs.map((x) => x.ackAck()));
        } catch (err) {
          if (err instanceof Stopped && !nc.isClosed()) for (const x of msgs) x.nak();
          throw err;
        } finally {
          clearInterval(keepAlive);
        }
      }
      if (!ctx.signal.aborted) await Promise.race([closed, aborted(ctx.signal)]);
    } finally {
      await nc.close().catch(() => {});
    }
  });
}

/**
 * Deletes the durable consumer Tally made for a deleted mapping (`tally-<id>`; one the user named is
 * theirs and stays): left behind, it would keep a limits stream's messages unacknowledged for ever,
 * and on a work-queue stream no other consumer could be made. Idempotent.
 */
export async function forgetNats(m: Mapping, url: string): Promise<void> {
  if (m.source.group || !m.source.stream) return;
  const nc = await connect(connectOptions(url));
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.consumers.delete(m.source.stream, `tally-${m.id}`).catch((err: unknown) => {
      if (!/consumer not found|stream not found/i.test(String(err))) throw err;
    });
  } finally {
    await nc.close();
  }
}
