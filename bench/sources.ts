import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { streamEntries } from '../src/modules/sources/pollers/redis.js';
import { api, deploy } from './invoke.js';
import { benchDatabase, fmt } from './lib.js';

/**
 * Event sources: messages per second from a RabbitMQ queue and from a Redis stream into a no-op
 * function with batch size 100 (`npm start`: api and executor in one process), against the broker's
 * own consume rate measured in the same run by a plain client (same prefetch or COUNT, one
 * acknowledgement per message, no invoke). Both drain a backlog; the rate is taken in the steady
 * part of the drain (from 10 % to 80 % consumed), from the broker's own count of what is left.
 */
/**
 * 200,000: at Tally's Redis rate (about 100,000 msg/s) a 30,000-message backlog drained its measured
 * part (90 % to 20 % left) in 0.2 s, a window the first batches' ramp-up dominated.
 */
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 200_000);
const RABBIT = process.env.BENCH_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const REDIS = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const BATCH = 100;
const RMQ_CONCURRENCY = 4;

/** Messages per second while `left()` goes from 90 % to 20 % of `total`. */
async function steadyRate(total: number, left: () => Promise<number>, timeoutMs = 300_000): Promise<number> {
  const end = Date.now() + timeoutMs;
  const until = async (below: number) => {
    for (;;) {
      const n = await left();
      if (n <= below) return { n, at: performance.now() };
      if (Date.now() > end) throw new Error(`stuck at ${n} of ${total} messages left`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const a = await until(total * 0.9);
  const b = await until(total * 0.2);
  return ((a.n - b.n) * 1000) / (b.at - a.at);
}

async function rabbitQueue(name: string) {
  const conn = await amqp.connect(RABBIT);
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue(name, { durable: true });
  const body = Buffer.from(JSON.stringify({ hello: 'world', pad: 'x'.repeat(100) }));
  for (let i = 0; i < MESSAGES; i++) ch.sendToQueue(name, body, { persistent: true, messageId: `m${i}` });
  await ch.waitForConfirms();
  return {
    ready: async () => (await ch.checkQueue(name)).messageCount,
    async close() {
      await ch.deleteQueue(name).catch(() => {});
      await conn.close();
    },
  };
}

async function redisStream(redis: Redis, name: string, group: string) {
  for (let i = 0; i < MESSAGES; i += 1000) {
    const p = redis.pipeline();
    for (let j = i; j < Math.min(MESSAGES, i + 1000); j++) p.xadd(name, '*', 'body', JSON.stringify({ n: j, pad: 'x'.repeat(100) }));
    await p.exec();
  }
  await redis.xgroup('CREATE', name, group, '0');
  return async () => {
    const groups = (await redis.call('XINFO', 'GROUPS', name)) as (string | number)[][];
    const g = groups
      .map((x) => Object.fromEntries(x.flatMap((v, i) => (i % 2 === 0 ? [[v, x[i + 1]]] : []))))
      .find((x) => x.name === group);
    return Number(g?.lag ?? 0) + Number(g?.pending ?? 0);
  };
}

export async function sourcesBench(): Promise<void> {
  const database = await benchDatabase();
  const d = await deploy(database.url, false);
  const redis = new Redis(REDIS);
  try {
    console.log(
      `sources benchmark: ${fmt(MESSAGES)} messages per run, no-op Node.js function, batch size ${BATCH}, ${d.label}, ${database.source}`,
    );
    const waitEnabled = async (id: string) => {
      for (;;) {
        if ((await api(d.base, d.key, 'GET', `/v1/event-source-mappings/${id}`)).json.state === 'Enabled') return;
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    // RabbitMQ, plain client: prefetch as Tally's poller, one ack per message.
    const q1 = `bench-plain-${randomUUID()}`;
    const plainQueue = await rabbitQueue(q1);
    const plainConn = await amqp.connect(RABBIT);
    const plainCh = await plainConn.createChannel();
    await plainCh.prefetch(BATCH * (RMQ_CONCURRENCY + 1));
    const plainRate = steadyRate(MESSAGES, plainQueue.ready);
    await plainCh.consume(q1, (m) => m && plainCh.ack(m), { noAck: false });
    const rmqBase = await plainRate;
    await plainConn.close();
    await plainQueue.close();

    // RabbitMQ through Tally.
    const q2 = `bench-tally-${randomUUID()}`;
    const tallyQueue = await rabbitQueue(q2);
    const m1 = (
      await api(d.base, d.key, 'POST', '/v1/event-source-mappings', {
        functionName: 'noop',
        source: { type: 'rabbitmq', url: RABBIT, queue: q2 },
        batchSize: BATCH,
        maximumConcurrency: RMQ_CONCURRENCY,
      })
    ).json;
    await waitEnabled(m1.id);
    const rmqTally = await steadyRate(MESSAGES, tallyQueue.ready);
    await api(d.base, d.key, 'DELETE', `/v1/event-source-mappings/${m1.id}`);
    await tallyQueue.close();

    // Redis stream, plain client: XREADGROUP COUNT 100, then XACK of the batch.
    const s1 = `bench-plain-${randomUUID()}`;
    const plainLeft = await redisStream(redis, s1, 'plain');
    const consumer = redis.duplicate();
    const plainRedisRate = steadyRate(MESSAGES, plainLeft);
    let done = false;
    const loop = (async () => {
      while (!done) {
        const r = await consumer.call('XREADGROUP', 'GROUP', 'plain', 'c', 'COUNT', BATCH, 'BLOCK', 100, 'STREAMS', s1, '>');
        const ids = streamEntries(r).map((e) => e[0]);
        if (ids.length > 0) await consumer.xack(s1, 'plain', ...ids);
      }
    })();
    const redisBase = await plainRedisRate;
    done = true;
    await loop;
    consumer.disconnect();
    await redis.del(s1);

    // Redis stream through Tally (its own group): in order (one batch at a time), then 4 batches at once.
    const redisTally: number[] = [];
    for (const concurrency of [1, RMQ_CONCURRENCY]) {
      const s2 = `bench-tally-${randomUUID()}`;
      const group = 'tally-bench';
      const tallyLeft = await redisStream(redis, s2, group);
      const m2 = (
        await api(d.base, d.key, 'POST', '/v1/event-source-mappings', {
          functionName: 'noop',
          source: { type: 'redis', url: REDIS, stream: s2, group },
          batchSize: BATCH,
          maximumConcurrency: concurrency,
        })
      ).json;
      await waitEnabled(m2.id);
      redisTally.push(await steadyRate(MESSAGES, tallyLeft));
      await api(d.base, d.key, 'DELETE', `/v1/event-source-mappings/${m2.id}`);
      await redis.del(s2);
    }

    console.log('');
    console.log('| source | plain client (msg/s) | through Tally into a no-op function (msg/s) | ratio |');
    console.log('|---|---|---|---|');
    console.log(
      `| RabbitMQ (prefetch ${BATCH * (RMQ_CONCURRENCY + 1)}, ${RMQ_CONCURRENCY} batches at once) | ${fmt(rmqBase)} | ${fmt(rmqTally)} | ${fmt((rmqTally / rmqBase) * 100)} % |`,
    );
    const [inOrder, parallel] = redisTally as [number, number];
    console.log(
      `| Redis stream (COUNT ${BATCH}, in order) | ${fmt(redisBase)} | ${fmt(inOrder)} | ${fmt((inOrder / redisBase) * 100)} % |`,
    );
    console.log(
      `| Redis stream (COUNT ${BATCH}, ${RMQ_CONCURRENCY} batches at once) | ${fmt(redisBase)} | ${fmt(parallel)} | ${fmt((parallel / redisBase) * 100)} % |`,
    );
    console.log(`goal: at least 50 % of the plain client's rate`);
  } finally {
    redis.disconnect();
    await d.stop();
    await database.drop();
  }
}
