import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import mqtt from 'mqtt';
import { connect as natsConnect } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AsyncWorker, startAsyncWorker } from '../../src/jobs/async-worker.js';
import type { EventSources } from '../../src/jobs/event-sources.js';
import type { InvokeService } from '../../src/modules/functions/invoke.service.js';
import { newTenant } from '../helpers/app.js';
import { receiver, unique, mappingRoutes, startSourcesJob } from '../helpers/brokers.js';
import { call, deploy, makeZip, until, useFunctionsApp } from '../helpers/functions.js';
import {
  type OwnBroker,
  type OwnRabbitMq,
  ownMosquitto,
  ownNats,
  ownRabbitMq,
  ownRedis,
  publishMqtt,
  publishNats,
  publishRabbit,
  publishRedis,
} from '../helpers/own-brokers.js';

/*
 * Issue 13: nothing lost, and nothing acknowledged before its invocation succeeded or reached the
 * failure destination, across a restart of the broker. Each test runs a broker of its own with
 * persistence (never the machine's shared ones), stops it from inside an invocation (so that batch's
 * acknowledgement meets a broker that is gone), starts it again on the same port and data, and
 * publishes more. At least once: duplicates are allowed, losses are not.
 */

const LEASE_MS = 1_500;
const t = useFunctionsApp({ deps: { events: { retryBaseMs: 50, leaseMs: 3_000 }, webhooks: { allowPrivate: true } } });

// Each invocation takes a little time, so the restart finds work in flight.
const CODE = `
const pause = () => new Promise((r) => setTimeout(r, 50));
const text = (r) => (r.data !== undefined ? Buffer.from(r.data, 'base64').toString() : r.fields.body);
exports.rmq = async (event) => {
  await pause();
  for (const msgs of Object.values(event.rmqMessagesByQueue))
    for (const m of msgs) if (JSON.parse(Buffer.from(m.data, 'base64').toString()).poison) throw new Error('poison');
  return 'ok';
};
exports.stream = async (event) => {
  await pause();
  return { batchItemFailures: event.Records.filter((r) => JSON.parse(text(r)).poison).map((r) => ({ itemIdentifier: r.eventID })) };
};
exports.mqtt = async (event, context) => {
  await pause();
  if (event.poison) throw new Error('poison');
  return { custom: context.clientContext?.custom ?? null };
};
`;
const zip = makeZip([{ name: 'index.js', data: CODE }]);

interface Body {
  run: string;
  n: number;
  poison: boolean;
}

/** The messages an event carries, whatever its shape. */
function bodiesIn(event: any): Body[] {
  if (event.rmqMessagesByQueue) {
    return Object.values(event.rmqMessagesByQueue as Record<string, { data: string }[]>)
      .flat()
      .map((m) => JSON.parse(Buffer.from(m.data, 'base64').toString()));
  }
  if (event.Records)
    return event.Records.map((r: any) => JSON.parse(r.data !== undefined ? Buffer.from(r.data, 'base64').toString() : r.fields.body));
  return [event];
}

/** Each successful invocation: the messages it handled (for streams: those not reported in batchItemFailures). */
const handled: Body[][] = [];
/** Each successful MQTT invocation: its message and the context.clientContext.custom the function saw. */
const mqttContexts: { body: Body; custom: any }[] = [];
/**
 * Called after each invocation with the messages it handled successfully, before the poller has its
 * result: the test's chance to stop the broker.
 */
let afterInvoke: ((bodies: Body[], succeeded: Body[]) => Promise<void>) | null = null;

/** The real invoke service, watched. */
const watched: Pick<InvokeService, 'invoke'> = {
  async invoke(accountId, name, payload, opts) {
    const r = await t.services.invoke.invoke(accountId, name, payload, opts);
    const event = JSON.parse(payload.toString());
    let succeeded: Body[] = [];
    if (r.status === 'success') {
      let failed = new Set<string>();
      try {
        failed = new Set((JSON.parse(r.payload.toString()).batchItemFailures ?? []).map((f: any) => f.itemIdentifier));
      } catch {}
      succeeded = bodiesIn(event.Records ? { Records: event.Records.filter((x: any) => !failed.has(x.eventID)) } : event);
      handled.push(succeeded);
      if (name === 'mqtt') mqttContexts.push({ body: event, custom: JSON.parse(r.payload.toString()).custom });
    }
    await afterInvoke?.(bodiesIn(event), succeeded);
    return r;
  },
};

/** How many times each message of a run was handled successfully. */
function counts(run: string): Map<number, number> {
  const c = new Map<number, number>();
  for (const b of handled.flat()) if (b.run === run) c.set(b.n, (c.get(b.n) ?? 0) + 1);
  return c;
}

let worker: AsyncWorker;
let job: EventSources;
let dlq: Awaited<ReturnType<typeof receiver>>;
let key: string;
const brokers: Partial<{ redis: OwnBroker; nats: OwnBroker; mosquitto: OwnBroker; rabbitmq: OwnRabbitMq }> = {};
beforeAll(async () => {
  // Started side by side: RabbitMQ's first boot takes a few seconds.
  [brokers.redis, brokers.nats, brokers.mosquitto, brokers.rabbitmq] = await Promise.all([
    ownRedis(),
    ownNats(),
    ownMosquitto(),
    ownRabbitMq(),
  ]);
  worker = startAsyncWorker({ events: t.services.events, log: t.app.log, options: { pollMs: 50, deliveryPollMs: 100 } });
  job = startSourcesJob(t, watched, { leaseMs: LEASE_MS });
  dlq = await receiver();
  key = (await newTenant(t.app)).accountKey;
  for (const handler of ['rmq', 'stream', 'mqtt']) await deploy(t.base, key, handler, zip, { handler: `index.${handler}` });
}, 120_000);
afterAll(async () => {
  await job?.stop();
  await worker?.stop();
  await dlq?.close();
  await Promise.all(Object.values(brokers).map((b) => b.destroy()));
});

const { create, get, enabled } = mappingRoutes(
  () => t.base,
  () => key,
);
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The numbers of a run's messages at the failure destination. */
const atDestination = (run: string) =>
  dlq.got
    .map((g) => JSON.parse(g.body))
    .flatMap((r) => bodiesIn(r.requestPayload))
    .filter((b) => b.run === run)
    .map((b) => b.n);

const FIRST = 24;
const SECOND = 12;
const POISON = [3, 14];

/**
 * Publishes FIRST messages (POISON among them), stops the broker from inside the invocation that
 * brings the handled count to 8, waits for the mapping to report the connection problem, starts the
 * broker again, publishes SECOND more, and checks that every good message was handled, the poison
 * ones are at the failure destination, and the result is OK again; then restarts the broker once
 * more while the poller waits, and checks that it holds nothing for the mapping at the end. Returns
 * the mapping id, the run's tag, the messages of the invocation that stopped the broker, and the
 * message bodies.
 */
async function restartRun(c: {
  broker: OwnBroker;
  fn: 'rmq' | 'stream' | 'mqtt';
  source: Record<string, unknown>;
  extra?: Record<string, unknown>;
  publish(bodies: string[]): Promise<void>;
  drained(mappingId: string): Promise<boolean>;
}): Promise<{ id: string; run: string; held: number[]; body: (n: number) => string }> {
  const run = unique(c.broker.name);
  const body = (n: number) => JSON.stringify({ run, n, poison: POISON.includes(n) });
  const m = await create({
    functionName: c.fn,
    source: c.source,
    maximumRetryAttempts: 1,
    destinations: { onFailure: { type: 'webhook', url: dlq.url } },
    ...c.extra,
  });
  expect(m.status).toBe(201);
  const id: string = m.json.id;
  await enabled(id);

  // The invocation that brings the count to 8 stops the broker before the poller has its result:
  // those messages cannot be acknowledged, so they must run again.
  let stopping: Promise<void> | null = null;
  let held: number[] = [];
  afterInvoke = async (bodies, succeeded) => {
    if (stopping || succeeded.length === 0 || !bodies.some((b) => b.run === run) || counts(run).size < 8) return;
    held = succeeded.map((b) => b.n);
    stopping = c.broker.stop();
    await stopping;
  };
  try {
    await c.publish(Array.from({ length: FIRST }, (_, n) => body(n)));
    await until('the broker stopped in the middle of consumption', async () => stopping !== null, 30_000);
    await stopping;
  } finally {
    afterInvoke = null;
  }
  expect(held.length).toBeGreaterThan(0);
  expect(counts(run).size).toBeLessThan(FIRST - POISON.length);
  const down = await until(
    'a connection problem reported while the broker is down',
    async () => {
      const r = (await get(id)).lastProcessingResult as string | null;
      return r?.startsWith('PROBLEM: Connection error') ? r : null;
    },
    15_000,
  );
  expect(down).toMatch(/^PROBLEM: Connection error/);
  await c.broker.start();
  await c.publish(Array.from({ length: SECOND }, (_, n) => body(FIRST + n)));

  const good = Array.from({ length: FIRST + SECOND }, (_, n) => n).filter((n) => !POISON.includes(n));
  await until(
    `${c.broker.name}: every good message handled, the poison ones at the failure destination`,
    async () => {
      const done = counts(run);
      return good.every((n) => done.has(n)) && POISON.every((n) => atDestination(run).includes(n));
    },
    45_000,
  );
  // One message more after all that: the mapping reports OK again.
  const last = FIRST + SECOND;
  await c.publish([body(last)]);
  await until('the result OK again', async () => counts(run).has(last) && (await get(id)).lastProcessingResult === 'OK', 20_000);

  // A second restart while the poller only waits for messages (nothing in flight): it reconnects too.
  await c.broker.stop();
  await until(
    'a connection problem reported again',
    async () => (await get(id)).lastProcessingResult?.startsWith('PROBLEM: Connection error'),
    15_000,
  );
  await c.broker.start();
  await c.publish([body(last + 1)]);
  await until('OK after the idle restart', async () => counts(run).has(last + 1) && (await get(id)).lastProcessingResult === 'OK', 30_000);
  await until(`${c.broker.name}: the broker holds nothing for the mapping`, () => c.drained(id), 20_000);

  // Nothing good went to the failure destination; a poison message never succeeded.
  expect([...new Set(atDestination(run))].sort((a, b) => a - b)).toEqual(POISON);
  const done = counts(run);
  for (const n of POISON) expect(done.has(n)).toBe(false);
  // What ran while the broker went away was not acknowledged before: it was delivered again.
  for (const n of held) expect(done.get(n), `message ${n}, handled as the broker stopped`).toBeGreaterThanOrEqual(2);
  return { id, run, held, body };
}

describe('event sources across a restart of the broker', { timeout: 90_000 }, () => {
  it('Redis stream (AOF, fsync always): entries pending at the restart are reclaimed, the group ends drained', async () => {
    const redis = brokers.redis!;
    const stream = unique('rs');
    const client = new Redis(redis.url, { lazyConnect: true });
    try {
      await restartRun({
        broker: redis,
        fn: 'stream',
        source: { type: 'redis', url: redis.url, stream },
        extra: { batchSize: 5, maximumBatchingWindowS: 0.2, functionResponseTypes: ['ReportBatchItemFailures'] },
        publish: (b) => publishRedis(redis.url, stream, b),
        drained: async (id) => {
          if (client.status === 'wait') await client.connect();
          const pending = (await client.xpending(stream, `tally-${id}`)) as [number];
          return pending[0] === 0 && (await get(id)).lag === 0;
        },
      });
    } finally {
      client.disconnect();
    }
  });

  it('NATS JetStream (file storage): unacknowledged messages are redelivered, the durable consumer ends drained', async () => {
    const nats = brokers.nats!;
    const stream = unique('js').replace(/-/g, '_');
    const subject = `${stream}.events`;
    const nc = await natsConnect({ servers: `127.0.0.1:${nats.port}`, reconnect: false });
    await (await nc.jetstreamManager()).streams.add({ name: stream, subjects: [subject] });
    await nc.close();
    await restartRun({
      broker: nats,
      fn: 'stream',
      source: { type: 'nats', url: nats.url, stream, subject },
      extra: { batchSize: 5, maximumBatchingWindowS: 0.2, functionResponseTypes: ['ReportBatchItemFailures'] },
      publish: (b) => publishNats(nats.url, subject, b),
      drained: async (id) => {
        const c = await natsConnect({ servers: `127.0.0.1:${nats.port}`, reconnect: false });
        try {
          const info = await (await c.jetstreamManager()).consumers.info(stream, `tally-${id}`);
          return info.num_pending === 0 && info.num_ack_pending === 0 && (await get(id)).lag === 0;
        } finally {
          await c.close();
        }
      },
    });
  });

  it('MQTT (Mosquitto persistence): the persistent session keeps unacknowledged and queued messages across the restart', async () => {
    const mosquitto = brokers.mosquitto!;
    const topic = `${unique('t')}/sensors`;
    const { id, run, held, body } = await restartRun({
      broker: mosquitto,
      fn: 'mqtt',
      source: { type: 'mqtt', url: mosquitto.url, topic },
      extra: { batchSize: 1, maximumBatchingWindowS: 0 },
      // An MQTT 5 user property: the publisher's own message id.
      publish: (b) => publishMqtt(mosquitto.url, topic, b, (x) => ({ 'message-id': `${JSON.parse(x).n}` })),
      // The broker has no query for a session's unacknowledged messages: the session is taken over
      // with the poller stopped (mapping disabled), and nothing may come.
      drained: async (mappingId) => {
        await call(t.base, key, 'PATCH', `/v1/event-source-mappings/${mappingId}`, { enabled: false });
        await until('Disabled', async () => (await get(mappingId)).state === 'Disabled');
        const got: string[] = [];
        const client = await mqtt.connectAsync(mosquitto.url, {
          clientId: `tally-${mappingId}`,
          clean: false,
          protocolVersion: 5,
          properties: { sessionExpiryInterval: 60 },
          reconnectPeriod: 0,
        });
        client.on('message', (_t, p) => got.push(p.toString()));
        await delay(1_500);
        await client.endAsync();
        return got.length === 0 || Promise.reject(new Error(`left with the broker: ${got.join(', ')}`));
      },
    });
    expect((await get(id)).state).toBe('Disabled');
    // The idempotency key beside the event (context.clientContext.custom): the same on the redelivery.
    for (const n of held) {
      const seen = mqttContexts.filter((x) => x.body.run === run && x.body.n === n).map((x) => x.custom);
      expect(seen.length).toBeGreaterThanOrEqual(2);
      const messageId = createHash('sha256')
        .update(`${topic}\n${body(n)}`)
        .digest('hex');
      for (const custom of seen) expect(custom).toEqual({ messageId, topic, userProperties: { 'message-id': `${n}` } });
    }
  });

  it('RabbitMQ (a node of its own, full stop and start): unacknowledged messages are back in the queue and run again', async () => {
    const rabbit = brokers.rabbitmq!;
    const queue = unique('q');
    await publishRabbit(rabbit.url, queue, []);
    await restartRun({
      broker: rabbit,
      fn: 'rmq',
      source: { type: 'rabbitmq', url: rabbit.url, queue },
      extra: { batchSize: 5, maximumBatchingWindowS: 0.2 },
      publish: (b) => publishRabbit(rabbit.url, queue, b),
      drained: async (id) => {
        const q = await rabbit.queueCounts(queue);
        return q?.ready === 0 && q.unacked === 0 && (await get(id)).lag === 0;
      },
    });
  });
});
