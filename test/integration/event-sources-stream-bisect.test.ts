import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AsyncWorker, startAsyncWorker } from '../../src/jobs/async-worker.js';
import type { EventSources } from '../../src/jobs/event-sources.js';
import { newTenant } from '../helpers/app.js';
import {
  BROKERS,
  mappingRoutes,
  natsStream,
  receiver,
  redisClient,
  type SeenInvocation,
  startSourcesJob,
  unique,
  watchInvocations,
} from '../helpers/brokers.js';
import { deploy, makeZip, until, useFunctionsApp } from '../helpers/functions.js';

/**
 * A Redis or NATS stream mapping without ReportBatchItemFailures (the default): a batch that fails because of one
 * poison message is split in halves, as docs/sources.md says of every failing batch, so that only the poison message
 * goes to the failure destination and its neighbours run, in order.
 */
const t = useFunctionsApp({ deps: { events: { retryBaseMs: 50, leaseMs: 3_000 }, webhooks: { allowPrivate: true } } });

const CODE = `
const text = (r) => (r.data !== undefined ? Buffer.from(r.data, 'base64').toString() : r.fields.body);
exports.handler = async (event) => {
  for (const r of event.Records) if (JSON.parse(text(r)).poison) throw new Error('poison');
  return 'ok';
};`;

const seen: SeenInvocation[] = [];
const watched = watchInvocations(() => t.services.invoke, seen);
let job: EventSources;
let worker: AsyncWorker;
let dlq: Awaited<ReturnType<typeof receiver>>;
let key: string;
beforeAll(async () => {
  worker = startAsyncWorker({ events: t.services.events, log: t.app.log, options: { pollMs: 50, deliveryPollMs: 100 } });
  job = startSourcesJob(
    t,
    watched(() => job.holder),
  );
  dlq = await receiver();
  key = (await newTenant(t.app)).accountKey;
  await deploy(t.base, key, 'strict', makeZip([{ name: 'index.js', data: CODE }]), { handler: 'index.handler' });
});
afterAll(async () => {
  await job?.stop();
  await worker?.stop();
  await dlq?.close();
});

const { create, enabled } = mappingRoutes(
  () => t.base,
  () => key,
);

const numbers = (records: any[]) =>
  records.map((r) => JSON.parse(r.data !== undefined ? Buffer.from(r.data, 'base64').toString() : r.fields.body).n as number);

async function run(source: Record<string, unknown>, tag: string, publish: (bodies: string[]) => Promise<unknown>) {
  const m = await create({
    functionName: 'strict',
    source,
    batchSize: 10,
    maximumBatchingWindowS: 0.5,
    maximumRetryAttempts: 0,
    destinations: { onFailure: { type: 'webhook', url: dlq.url } },
  });
  expect(m.status).toBe(201);
  await enabled(m.json.id);
  await publish(Array.from({ length: 6 }, (_, n) => JSON.stringify({ n, tag, poison: n === 3 })));
  const mine = () =>
    seen.filter(
      (s) => s.event.Records?.[0] && JSON.parse(JSON.stringify(s.event)).Records.some((r: any) => r.eventSourceARN.endsWith(m.json.id)),
    );
  const atDestination = () =>
    dlq.got
      .map((g) => JSON.parse(g.body))
      .filter((r) => r.eventSourceMappingArn.endsWith(m.json.id))
      .flatMap((r) => numbers(r.requestPayload.Records));
  await until('the poison message at the failure destination', async () => atDestination().length > 0, 20_000);
  await until(
    'the good ones ran',
    async () =>
      mine().filter((s) => s.status === 'success').length > 0 &&
      numbers(
        mine()
          .filter((s) => s.status === 'success')
          .flatMap((s) => s.event.Records),
      ).length >= 5,
    10_000,
  );
  expect(atDestination()).toEqual([3]);
  expect(
    numbers(
      mine()
        .filter((s) => s.status === 'success')
        .flatMap((s) => s.event.Records),
    ),
  ).toEqual([0, 1, 2, 4, 5]);
}

describe('a failing stream batch without ReportBatchItemFailures', () => {
  it('Redis: is split, only the poison entry reaches the failure destination', async () => {
    const stream = unique('bisect');
    const redis = redisClient();
    try {
      await run({ type: 'redis', url: BROKERS.redis, stream }, 'redis', async (bodies) => {
        for (const b of bodies) await redis.xadd(stream, '*', 'body', b);
      });
    } finally {
      await redis.del(stream);
      redis.disconnect();
    }
  });

  it('NATS JetStream: is split, only the poison message reaches the failure destination', async () => {
    const name = unique('bisect').replace(/-/g, '_');
    const s = await natsStream(name, `${name}.in`);
    try {
      await run({ type: 'nats', url: BROKERS.nats, stream: name }, 'nats', (bodies) => s.publish(bodies));
    } finally {
      await s.close();
    }
  });
});
