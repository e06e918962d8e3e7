import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAsyncWorker, type AsyncWorker } from '../../src/jobs/async-worker.js';
import type { EventSources } from '../../src/jobs/event-sources.js';
import { newTenant } from '../helpers/app.js';
import {
  BROKERS,
  mqttPublisher,
  natsStream,
  rabbitQueue,
  receiver,
  redisClient,
  type SeenInvocation,
  unique,
  watchInvocations,
  mappingRoutes,
  startSourcesJob,
} from '../helpers/brokers.js';
import { call, deploy, makeZip, until, useFunctionsApp } from '../helpers/functions.js';

const LEASE_MS = 1_500;
const t = useFunctionsApp({ deps: { events: { retryBaseMs: 50, leaseMs: 3_000 }, webhooks: { allowPrivate: true } } });

const CODE = `
const text = (r) => (r.data !== undefined ? Buffer.from(r.data, 'base64').toString() : r.fields.body);
exports.rmq = async (event) => {
  for (const msgs of Object.values(event.rmqMessagesByQueue))
    for (const m of msgs) if (JSON.parse(Buffer.from(m.data, 'base64').toString()).poison) throw new Error('poison');
  return 'ok';
};
exports.stream = async (event) => ({
  batchItemFailures: event.Records.filter((r) => JSON.parse(text(r)).poison).map((r) => ({ itemIdentifier: r.eventID })),
});
exports.mqtt = async (event) => {
  if (event.poison) throw new Error('poison');
  return 'ok';
};
exports.s3 = async (event) => ({ keys: event.Records.map((r) => r.s3.object.key) });
`;
const zip = makeZip([{ name: 'index.js', data: CODE }]);

const seen: SeenInvocation[] = [];
/** The real invoke service, watched: what each poller ran and how it ended. */
const watched = watchInvocations(() => t.services.invoke, seen);

/** The message numbers an event carries, whatever its shape. */
function numbersIn(event: any): number[] {
  const body = (text: string) => JSON.parse(text).n as number;
  if (event.rmqMessagesByQueue) {
    return Object.values(event.rmqMessagesByQueue as Record<string, { data: string }[]>)
      .flat()
      .map((m) => body(Buffer.from(m.data, 'base64').toString()));
  }
  if (event.Records)
    return event.Records.map((r: any) => body(r.data !== undefined ? Buffer.from(r.data, 'base64').toString() : r.fields.body));
  return [event.n];
}

/** Numbers whose invocation succeeded (for streams: not reported in batchItemFailures). */
function processed(fn: string): number[] {
  return seen
    .filter((s) => s.fn === fn && s.status === 'success')
    .flatMap((s) => {
      if (!s.event.Records) return numbersIn(s.event);
      const failed = new Set((s.result?.batchItemFailures ?? []).map((f: any) => f.itemIdentifier));
      return s.event.Records.filter((r: any) => !failed.has(r.eventID)).map((r: any) => numbersIn({ Records: [r] })[0]);
    });
}

const messages = (count: number, poison: number[]) =>
  Array.from({ length: count }, (_, n) => JSON.stringify({ n, poison: poison.includes(n) }));
const range = (count: number, except: number[]) => Array.from({ length: count }, (_, n) => n).filter((n) => !except.includes(n));

let worker: AsyncWorker;
let jobA: EventSources;
let dlq: Awaited<ReturnType<typeof receiver>>;
let key: string;
beforeAll(async () => {
  worker = startAsyncWorker({ events: t.services.events, log: t.app.log, options: { pollMs: 50, deliveryPollMs: 100 } });
  jobA = startSourcesJob(
    t,
    watched(() => jobA.holder),
    { leaseMs: LEASE_MS },
  );
  dlq = await receiver();
  key = (await newTenant(t.app)).accountKey;
  for (const handler of ['rmq', 'stream', 'mqtt', 's3']) await deploy(t.base, key, handler, zip, { handler: `index.${handler}` });
});
afterAll(async () => {
  await jobA?.stop();
  await worker?.stop();
  await dlq?.close();
});

const { create, get, enabled } = mappingRoutes(
  () => t.base,
  () => key,
);

/** The failure destination's records for a mapping: numbers of the messages they carry. */
function atDestination(mappingId: string): number[] {
  return dlq.got
    .map((g) => JSON.parse(g.body))
    .filter((r) => r.eventSourceMappingArn.endsWith(mappingId))
    .flatMap((r) => numbersIn(r.requestPayload));
}

async function poisonRun(fn: string, source: Record<string, unknown>, publish: (bodies: string[]) => Promise<unknown>, extra = {}) {
  const m = await create({
    functionName: fn,
    source,
    batchSize: 10,
    maximumBatchingWindowS: 0.2,
    maximumRetryAttempts: 1,
    destinations: { onFailure: { type: 'webhook', url: dlq.url } },
    ...extra,
  });
  expect(m.status).toBe(201);
  expect(m.json.webhookSecret).toMatch(/^whsec_/);
  await enabled(m.json.id);
  const poison = [3, 11];
  await publish(messages(20, poison));
  await until(
    `${fn}: good ones processed, poison ones at the failure destination`,
    async () => {
      const good = new Set(processed(fn));
      return range(20, poison).every((n) => good.has(n)) && poison.every((n) => atDestination(m.json.id).includes(n));
    },
    60_000,
  );
  // Only poison messages went to the destination, signed with the mapping's secret.
  expect([...new Set(atDestination(m.json.id))].sort((a, b) => a - b)).toEqual(poison);
  const delivery = dlq.got.find((g) => g.body.includes(m.json.id))!;
  const ts = delivery.headers['x-tally-timestamp'] as string;
  expect(delivery.headers['x-tally-signature']).toBe(
    `sha256=${createHmac('sha256', m.json.webhookSecret).update(`${ts}.${delivery.body}`).digest('hex')}`,
  );
  const record = JSON.parse(delivery.body);
  expect(record.requestContext).toMatchObject({ condition: 'RetriesExhausted', approximateInvokeCount: 2 });
  // A stream batch succeeded while reporting items; a queue or topic batch failed.
  expect(record.responseContext.functionError).toBe(source.type === 'redis' || source.type === 'nats' ? undefined : 'Unhandled');
  return m.json;
}

describe('event source mappings against the real brokers', { timeout: 90_000 }, () => {
  it('RabbitMQ: aws:rmq batches; a poison message fails alone (the batch is split) and reaches the failure destination; the queue is drained', async () => {
    const queue = unique('q');
    const q = await rabbitQueue(queue);
    try {
      const m = await poisonRun('rmq', { type: 'rabbitmq', url: BROKERS.rabbitmq, queue }, (b) => q.publish(b, (i) => `msg-${i}`));
      const first = seen.find((s) => s.fn === 'rmq')!.event;
      expect(first.eventSource).toBe('aws:rmq');
      const [k, msgs] = Object.entries(first.rmqMessagesByQueue)[0] as [string, any[]];
      expect(k).toBe(`${queue}::/`);
      expect(msgs[0]).toMatchObject({
        redelivered: false,
        basicProperties: { messageId: expect.stringMatching(/^msg-/), deliveryMode: 2 },
      });
      await until('queue drained', async () => (await q.ready()) === 0 && (await get(m.id)).lag === 0);
      expect(m.source.url).toBe('amqp://127.0.0.1:5672/');
    } finally {
      await q.close();
    }
  });

  it('Redis stream: ordered batches, ReportBatchItemFailures retries only the failed entries, the group is drained', async () => {
    const stream = unique('s');
    const redis = redisClient();
    try {
      const m = await poisonRun(
        'stream',
        { type: 'redis', url: BROKERS.redis, stream },
        async (bodies) => {
          for (const b of bodies) await redis.xadd(stream, '*', 'body', b);
        },
        { functionResponseTypes: ['ReportBatchItemFailures'] },
      );
      const batches = seen.filter((s) => s.fn === 'stream');
      // In order, and a retry carries only the items reported failed.
      const retries = batches.filter((s) => s.event.Records.length === 1 && s.result.batchItemFailures.length === 1);
      expect(retries.length).toBeGreaterThanOrEqual(2);
      const order = batches.filter((s) => s.event.Records.length > 1).flatMap((s) => numbersIn(s.event));
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(batches[0]!.event.Records[0]).toMatchObject({ eventSource: 'tally:redis', eventID: expect.stringMatching(/^\d+-\d+$/) });
      await until('group drained', async () => {
        const pending = (await redis.xpending(stream, `tally-${m.id}`)) as [number];
        return pending[0] === 0 && (await get(m.id)).lag === 0;
      });
    } finally {
      await redis.del(stream);
      redis.disconnect();
    }
  });

  it('Redis: a connection cut by the broker (as in a restart) is made again with backoff; nothing is lost', async () => {
    const stream = unique('r');
    const redis = redisClient();
    try {
      const m = await create({ functionName: 'stream', source: { type: 'redis', url: BROKERS.redis, stream }, batchSize: 5 });
      await enabled(m.json.id);
      const add = async (from: number, to: number) => {
        for (let n = from; n < to; n++) await redis.xadd(stream, '*', 'body', JSON.stringify({ n, cut: stream }));
      };
      const mine = () => new Set(seen.filter((s) => JSON.stringify(s.event).includes(stream)).flatMap((s) => numbersIn(s.event)));
      await add(0, 10);
      await until('first half', async () => mine().size === 10);
      // Cut the poller's connections, the way a broker restart does.
      const clients = String(await redis.call('CLIENT', 'LIST'))
        .split('\n')
        .filter((l) => l.includes(`name=tally-${m.json.id}`));
      expect(clients.length).toBeGreaterThan(0);
      for (const l of clients) await redis.call('CLIENT', 'KILL', 'ID', /id=(\d+)/.exec(l)![1]!);
      await add(10, 20);
      await until('second half after the reconnection', async () => mine().size === 20);
      await until('drained', async () => ((await redis.xpending(stream, `tally-${m.json.id}`)) as [number])[0] === 0);
    } finally {
      await redis.del(stream);
      redis.disconnect();
    }
  });

  it('NATS JetStream: a durable consumer, failed items retried alone, then at the failure destination; nothing left pending', async () => {
    const stream = unique('js').replace(/-/g, '_');
    const subject = `${stream}.events`;
    const js = await natsStream(stream, subject);
    try {
      const m = await poisonRun('stream', { type: 'nats', url: BROKERS.nats, stream, subject }, (b) => js.publish(b), {
        functionResponseTypes: ['ReportBatchItemFailures'],
      });
      const jsm = await js.nc.jetstreamManager();
      await until('consumer drained', async () => {
        const info = await jsm.consumers.info(stream, `tally-${m.id}`);
        return info.num_pending === 0 && info.num_ack_pending === 0;
      });
    } finally {
      await js.close();
    }
  });

  it('MQTT: QoS 1 persistent session, one invocation per message, JSON payload as the event', async () => {
    const topic = `${unique('t')}/sensors`;
    const pub = await mqttPublisher();
    try {
      await poisonRun('mqtt', { type: 'mqtt', url: BROKERS.mqtt, topic }, (b) => pub.publish(topic, b), {
        batchSize: 1,
        maximumBatchingWindowS: 0,
      });
      const one = seen.find((s) => s.fn === 'mqtt')!;
      expect(Object.keys(one.event).sort()).toEqual(['n', 'poison']);
    } finally {
      await pub.close();
    }
  });

  it('two pollers (replicas) on one database: one holds the mapping, each message is handled once', async () => {
    const jobB = startSourcesJob(
      t,
      watched(() => jobB.holder),
      { leaseMs: LEASE_MS },
    );
    const queue = unique('q2');
    const q = await rabbitQueue(queue);
    try {
      const m = await create({ functionName: 'rmq', source: { type: 'rabbitmq', url: BROKERS.rabbitmq, queue }, batchSize: 7 });
      await enabled(m.json.id);
      await jobA.pass();
      await jobB.pass();
      const holders = [jobA, jobB].filter((j) => j.running().includes(m.json.id));
      expect(holders).toHaveLength(1);
      const start = seen.length;
      await q.publish(messages(60, []).map((b) => b.replace('"n"', '"two":1,"n"')));
      await until('60 processed', async () => new Set(seen.slice(start).flatMap((s) => numbersIn(s.event))).size === 60);
      const mine = seen.slice(start).filter((s) => s.event.rmqMessagesByQueue?.[`${queue}::/`]);
      const all = mine.flatMap((s) => numbersIn(s.event));
      expect(all.sort((a, b) => a - b)).toEqual(range(60, []));
      expect(new Set(mine.map((s) => s.holder))).toEqual(new Set([holders[0]!.holder]));
    } finally {
      await jobB.stop();
      await q.close();
    }
  });

  it('s3-webhook: endpoint and token; a notification is queued as received (202) and runs asynchronously', async () => {
    const m = await create({ functionName: 's3', source: { type: 's3-webhook' } });
    expect(m.status).toBe(201);
    expect(m.json).toMatchObject({ state: 'Enabled', endpoint: `${t.base}/v1/event-source-mappings/${m.json.id}/notifications` });
    expect(m.json.token).toMatch(/^tsk_/);
    const notification = JSON.stringify({
      EventName: 's3:ObjectCreated:Put',
      Key: 'photos/cat.jpg',
      Records: [
        {
          eventVersion: '2.0',
          eventSource: 'minio:s3',
          eventName: 's3:ObjectCreated:Put',
          s3: { bucket: { name: 'photos' }, object: { key: 'cat.jpg', size: 12, eTag: 'abc' } },
        },
      ],
    });
    const post = (token: string, body: string) =>
      fetch(m.json.endpoint, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
    expect((await post('tsk_wrong', notification)).status).toBe(401);
    expect((await post(m.json.token, '{"no":"records"}')).status).toBe(400);
    const r = await post(m.json.token, notification);
    expect(r.status).toBe(202);
    const { requestId } = (await r.json()) as { requestId: string };
    const done = await until('s3 invocation', async () => {
      const d = (await call(t.base, key, 'GET', `/v1/invocations/${requestId}`)).json;
      return d.status === 'succeeded' ? d : null;
    });
    expect(done.functionName).toBe('s3');
    expect((await get(m.json.id)).token).toBeUndefined();
    await call(t.base, key, 'PATCH', `/v1/event-source-mappings/${m.json.id}`, { enabled: false });
    expect((await post(m.json.token, notification)).status).toBe(409);
  });

  it('CRUD: validation, sealed URLs never shown, list, disable and delete', async () => {
    const bad = [
      [{ functionName: 'rmq', source: { type: 'rabbitmq', url: BROKERS.rabbitmq } }, 'source.queue is required'],
      [{ functionName: 'rmq', source: { type: 'rabbitmq', url: 'http://x', queue: 'q' } }, 'amqp://'],
      [{ functionName: 'rmq', source: { type: 'redis', url: BROKERS.redis, stream: 's', topic: 't' } }, 'source.topic does not apply'],
      [
        {
          functionName: 'rmq',
          source: { type: 'rabbitmq', url: BROKERS.rabbitmq, queue: 'q' },
          functionResponseTypes: ['ReportBatchItemFailures'],
        },
        'stream sources',
      ],
      [{ functionName: 'rmq', source: { type: 'mqtt', url: BROKERS.mqtt, topic: 't' }, batchSize: 5 }, 'batchSize'],
      [{ functionName: 'rmq', source: { type: 'rabbitmq', url: BROKERS.rabbitmq, queue: 'q' }, batchSize: 0 }, 'batchSize'],
      [
        {
          functionName: 'rmq',
          source: { type: 'rabbitmq', url: BROKERS.rabbitmq, queue: 'q' },
          destinations: { onFailure: { type: 'function', function: 'nope' } },
        },
        'nope',
      ],
    ] as const;
    for (const [body, message] of bad) {
      const r = await create(body);
      expect([r.status, r.json.error.code], JSON.stringify(body)).toEqual([400, 'VALIDATION_FAILED']);
      expect(r.json.error.message).toContain(message);
    }
    expect((await create({ functionName: 'nope', source: { type: 'rabbitmq', url: BROKERS.rabbitmq, queue: 'q' } })).status).toBe(404);

    const queue = unique('q3');
    const q = await rabbitQueue(queue);
    try {
      const m = await create({
        functionName: 'rmq',
        source: { type: 'rabbitmq', url: 'amqp://guest:guest@127.0.0.1:5672/', queue },
        destinations: { onFailure: { type: 'function', function: 's3' } },
      });
      expect(m.status).toBe(201);
      expect(JSON.stringify(m.json)).not.toContain('guest');
      const row = await t.db.db
        .selectFrom('event_source_mappings' as never)
        .select(['url_sealed' as never])
        .where('id' as never, '=', m.json.id as never)
        .executeTakeFirstOrThrow();
      const sealed = (row as { url_sealed: string }).url_sealed;
      expect(sealed).not.toContain('guest');
      expect(t.services.secretBox.open(sealed, m.json.id)).toBe('amqp://guest:guest@127.0.0.1:5672/');
      expect(() => t.services.secretBox.open(sealed, 'another-id')).toThrow();
      await enabled(m.json.id);
      const list = (await call(t.base, key, 'GET', '/v1/event-source-mappings?functionName=rmq')).json;
      expect(list.eventSourceMappings.map((x: { id: string }) => x.id)).toContain(m.json.id);
      expect(JSON.stringify(list)).not.toContain('guest');
      const off = await call(t.base, key, 'PATCH', `/v1/event-source-mappings/${m.json.id}`, { enabled: false });
      expect(['Disabling', 'Disabled']).toContain(off.json.state);
      await until('Disabled', async () => (await get(m.json.id)).state === 'Disabled');
      expect(jobA.running()).not.toContain(m.json.id);
      const other = await newTenant(t.app);
      expect((await call(t.base, other.accountKey, 'GET', `/v1/event-source-mappings/${m.json.id}`)).status).toBe(404);
      const del = await call(t.base, key, 'DELETE', `/v1/event-source-mappings/${m.json.id}`);
      expect([del.status, del.json.state]).toEqual([202, 'Deleting']);
      expect((await call(t.base, key, 'GET', `/v1/event-source-mappings/${m.json.id}`)).status).toBe(404);
    } finally {
      await q.close();
    }
  });
});
