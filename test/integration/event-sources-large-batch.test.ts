import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SYNC_PAYLOAD_BYTES } from '../../src/contracts/executor.js';
import { type AsyncWorker, startAsyncWorker } from '../../src/jobs/async-worker.js';
import type { EventSources } from '../../src/jobs/event-sources.js';
import type { InvokeService } from '../../src/modules/functions/invoke.service.js';
import { newTenant } from '../helpers/app.js';
import { BROKERS, mappingRoutes, receiver, redisClient, startSourcesJob, unique } from '../helpers/brokers.js';
import { call, deploy, makeZip, until, useFunctionsApp } from '../helpers/functions.js';

const t = useFunctionsApp({ deps: { events: { retryBaseMs: 50, leaseMs: 3_000 }, webhooks: { allowPrivate: true } } });

/** Answers which records it got (by their `n`), so the test sees how the batch was cut. */
const CODE = `exports.handler = async (event) => ({ n: event.Records.map((r) => JSON.parse(r.fields.body).n) });`;

/** What the poller handed the function, batch by batch, and the events' sizes. */
const ran: { n: number[]; bytes: number }[] = [];
const watched: Pick<InvokeService, 'invoke'> = {
  async invoke(accountId, name, payload, opts) {
    const r = await t.services.invoke.invoke(accountId, name, payload, opts);
    ran.push({ n: (JSON.parse(r.payload.toString()) as { n: number[] }).n, bytes: payload.length });
    return r;
  },
};

let job: EventSources;
let worker: AsyncWorker;
let dlq: Awaited<ReturnType<typeof receiver>>;
let key: string;
beforeAll(async () => {
  job = startSourcesJob(t, watched);
  // Delivers the failure records to the webhook.
  worker = startAsyncWorker({ events: t.services.events, log: t.app.log, options: { pollMs: 50, deliveryPollMs: 100 } });
  dlq = await receiver();
  key = (await newTenant(t.app)).accountKey;
  await deploy(t.base, key, 'sizes', makeZip([{ name: 'index.js', data: CODE }]), { handler: 'index.handler' });
});
afterAll(async () => {
  await job?.stop();
  await worker?.stop();
  await dlq?.close();
});

const { create, get, enabled } = mappingRoutes(
  () => t.base,
  () => key,
);

describe('a batch larger than an invocation takes (6 MiB)', { timeout: 90_000 }, () => {
  it('runs in halves that fit, and a record too large alone goes to the failure destination at once, not retried for ever', async () => {
    const stream = unique('large');
    const redis = redisClient();
    try {
      const m = await create({
        functionName: 'sizes',
        source: { type: 'redis', url: BROKERS.redis, stream },
        batchSize: 10,
        maximumBatchingWindowS: 1,
        destinations: { onFailure: { type: 'webhook', url: dlq.url } },
      });
      expect(m.status, m.text).toBe(201);
      const id = m.json.id as string;
      await enabled(id);
      // Three records of 2.5 MB (7.5 MB together, one batch by count) and one of 7 MB, published at once.
      const body = (n: number, bytes: number) => JSON.stringify({ n, pad: 'x'.repeat(bytes) });
      const tx = redis.multi();
      for (const n of [1, 2, 3]) tx.xadd(stream, '*', 'body', body(n, 2_500_000));
      tx.xadd(stream, '*', 'body', body(4, 7_000_000));
      tx.xadd(stream, '*', 'body', body(5, 10));
      await tx.exec();

      await until('records 1, 2, 3 and 5 ran', async () => ran.flatMap((r) => r.n).length >= 4, 60_000);
      await until('record 4 at the failure destination', async () => dlq.got.length >= 1, 30_000);
      await until('nothing pending', async () => ((await redis.xpending(stream, `tally-${id}`)) as [number])[0] === 0, 30_000);
      // Each ran once, in order, in events within the limit.
      expect(ran.flatMap((r) => r.n)).toEqual([1, 2, 3, 5]);
      for (const r of ran) expect(r.bytes).toBeLessThanOrEqual(MAX_SYNC_PAYLOAD_BYTES);
      expect(ran.length).toBeGreaterThan(1);
      // The failure record names the record it could not run, without its 7 MB.
      expect(dlq.got).toHaveLength(1);
      const record = JSON.parse(dlq.got[0]!.body) as { itemIdentifiers: string[]; requestPayload: unknown; responseContext?: unknown };
      expect(record.itemIdentifiers).toHaveLength(1);
      expect(record.requestPayload).toBeNull();
      expect(record.responseContext).toBeUndefined();
      expect(dlq.got[0]!.body.length).toBeLessThan(10_000);
      // The last batch (record 5) ran well after it.
      await until('the result written', async () => (await get(id)).lastProcessingResult === 'OK', 10_000);
      await call(t.base, key, 'DELETE', `/v1/event-source-mappings/${id}`);
    } finally {
      await redis.del(stream);
      redis.disconnect();
    }
  });
});
