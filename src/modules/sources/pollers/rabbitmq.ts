import { createHash } from 'node:crypto';
import amqp, { type ConsumeMessage } from 'amqplib';
import { Stopped } from '../batch-runner.js';
import { rmqEvent } from '../source-events.js';
import { aborted, type PollerContext, withReconnect } from './poller.js';

/** basic.qos's prefetch-count is a 16-bit field. */
const MAX_PREFETCH = 65_535;

const idOf = (msg: ConsumeMessage) => msg.properties.messageId ?? createHash('sha256').update(msg.content).digest('hex');

/**
 * A RabbitMQ queue: consumes with manual acknowledgement and a prefetch of batchSize × concurrency,
 * groups messages into batches (full, or when the batching window closes), runs up to
 * `maximumConcurrency` batches at once, and acknowledges a batch's messages only once the batch
 * succeeded or reached the failure destination. A batch cut short is rejected back to the queue
 * (and a dropped connection returns every unacknowledged message).
 */
export function pollRabbitMq(ctx: PollerContext): Promise<void> {
  const m = ctx.mapping;
  const queue = m.source.queue!;
  const vhost = decodeURIComponent(new URL(ctx.url).pathname.slice(1)) || '/';
  return withReconnect(ctx, async () => {
    const conn = await amqp.connect(ctx.url);
    const inFlight = new Set<Promise<void>>();
    let timer: NodeJS.Timeout | null = null;
    let lagTimer: NodeJS.Timeout | null = null;
    try {
      const closed = new Promise<void>((resolve) => {
        conn.on('close', () => resolve());
        conn.on('error', () => {});
      });
      const ch = await conn.createChannel();
      let open = true;
      // The broker closes the channel (a deleted queue: the consumer cancelled, then the lag's checkQueue answered
      // 404) or cancels the consumer without closing it: the session ends and the poller connects again, reporting
      // why, until the queue is back. Before, it waited on the connection, consuming nothing, until the api restarted.
      let lost: (err: Error) => void = () => {};
      const channelLost = new Promise<never>((_resolve, reject) => {
        lost = reject;
      });
      channelLost.catch(() => {});
      ch.on('close', () => {
        open = false;
        lost(new Error(`the channel of queue ${queue} was closed by the broker`));
      });
      ch.on('error', () => {});
      await ch.checkQueue(queue);
      // One batch more than run at once, so the next is already here when one ends; at most AMQP's 16-bit prefetch
      // count (above it, basic.qos cannot be encoded and every session failed: a batch of 10,000 with 7 at once
      // never consumed). The cap is over the largest batch, so batches still fill; fewer then run at once.
      await ch.prefetch(Math.min(MAX_PREFETCH, m.batchSize * (m.maximumConcurrency + 1)));
      const buffer: ConsumeMessage[] = [];

      const dispatch = (force: boolean) => {
        // Finishing for a change of the mapping: the buffered messages go back to the queue when the channel closes.
        if (ctx.runner.finishing) return;
        while (buffer.length > 0 && inFlight.size < m.maximumConcurrency && (force || buffer.length >= m.batchSize)) {
          const batch = buffer.splice(0, m.batchSize);
          const build = (msgs: ConsumeMessage[]) =>
            Buffer.from(rmqEvent({ region: ctx.region, accountId: m.accountId, mappingId: m.id, queue, vhost, messages: msgs }));
          const run: Promise<void> = ctx.runner
            .run(batch, idOf, build, { bisect: true })
            .then(() => {
              if (open) for (const msg of batch) ch.ack(msg);
            })
            .catch((err: unknown) => {
              if (!(err instanceof Stopped)) ctx.log.error({ err }, 'a RabbitMQ batch failed before an outcome; returned to the queue');
              if (open) for (const msg of batch) ch.nack(msg, false, true);
            })
            .finally(() => {
              inFlight.delete(run);
              if (!ctx.signal.aborted) dispatch(false);
            });
          inFlight.add(run);
        }
        if (buffer.length > 0 && timer === null && !ctx.signal.aborted) {
          timer = setTimeout(() => {
            timer = null;
            dispatch(true);
          }, m.batchingWindowMs);
        }
      };

      await ch.consume(
        queue,
        (msg) => {
          if (msg === null) return lost(new Error(`the broker cancelled the consumer of queue ${queue} (deleted?)`));
          if (ctx.signal.aborted) return;
          buffer.push(msg);
          dispatch(false);
        },
        { noAck: false },
      );
      ctx.subscribed();
      const measure = () =>
        ch.checkQueue(queue).then(
          (q) => ctx.lag(BigInt(q.messageCount + buffer.length)),
          () => {},
        );
      void measure();
      lagTimer = setInterval(measure, 2_000);
      await Promise.race([closed, channelLost, aborted(ctx.signal)]);
    } finally {
      if (timer) clearTimeout(timer);
      if (lagTimer) clearInterval(lagTimer);
      // Batches in flight end first (a stop aborts their waits): their acknowledgements go out on this channel.
      await Promise.allSettled([...inFlight]);
      await conn.close().catch(() => {});
    }
  });
}
