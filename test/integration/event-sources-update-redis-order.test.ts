import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventSources } from '../../src/jobs/event-sources.js';
import type { InvokeService } from '../../src/modules/functions/invoke.service.js';
import { newTenant } from '../helpers/app.js';
import { BROKERS, mappingRoutes, redisClient, unique, startSourcesJob } from '../helpers/brokers.js';
import { call, deploy, makeZip, until, useFunctionsApp } from '../helpers/functions.js';

/**
 * Review of "Changing a mapping" (docs/sources.md): a Redis poller finishing for a change hands back what it read
 * ahead, and the next poller's first XAUTOCLAIM is to take it "before reading new entries, keeping the stream's
 * order". These tests change a mapping to a smaller batch, and change one whose batching window is waiting.
 */
const t = useFunctionsApp({ deps: { events: { retryBaseMs: 50, leaseMs: 3_000 }, webhooks: { allowPrivate: true } } });

/** Slow enough that a batch is in flight when the mapping changes; answers the messages it ran. */
const CODE = `
exports.handler = async (event) => {
  await new Promise((r) => setTimeout(r, 250));
  return { n: event.Records.map((r) => JSON.parse(r.fields.body).n) };
};
`;
const zip = makeZip([{ name: 'index.js', data: CODE }]);

/** What the pollers ran, by mapping: the real invoke service, watched. */
const ran = new Map<string, number[][]>();
const watched: Pick<InvokeService, 'invoke'> = {
  async invoke(accountId, name, payload, opts) {
    const body = JSON.parse(payload.toString()) as { Records: { eventSourceARN: string; fields: { body: string } }[] };
    const mapping = body.Records[0]!.eventSourceARN.split(':').pop()!;
    const r = await t.services.invoke.invoke(accountId, name, payload, opts);
    const list = ran.get(mapping) ?? [];
    list.push(body.Records.map((x) => (JSON.parse(x.fields.body) as { n: number }).n));
    ran.set(mapping, list);
    return r;
  },
};
const ranOf = (id: string) => ran.get(id) ?? [];

let job: EventSources;
let key: string;
beforeAll(async () => {
  job = startSourcesJob(t, watched);
  const a = await newTenant(t.app);
  key = a.accountKey;
  await deploy(t.base, key, 'f', zip, { handler: 'index.handler' });
});
afterAll(async () => {
  await job?.stop();
});

const { create, get } = mappingRoutes(
  () => t.base,
  () => key,
);
const patch = (id: string, body: unknown) => call(t.base, key, 'PATCH', `/v1/event-source-mappings/${id}`, body);

describe('review: a Redis mapping changed while it runs keeps the stream order', { timeout: 90_000 }, () => {
  it('changed to a smaller batch: the read-ahead handed back runs before any newer entry, each once', async () => {
    const stream = unique('smaller');
    const redis = redisClient();
    try {
      const m = await create({ functionName: 'f', source: { type: 'redis', url: BROKERS.redis, stream }, batchSize: 10 });
      expect(m.status, m.text).toBe(201);
      const id = m.json.id as string;
      await until('the mapping Enabled', async () => (await get(id)).state === 'Enabled', 30_000);
      const tx = redis.multi();
      for (let n = 1; n <= 60; n++) tx.xadd(stream, '*', 'body', JSON.stringify({ n }));
      await tx.exec();
      // The first batch of 10 is running and the next 10 were read ahead: the batch shrinks to 2.
      await until('a batch ran', async () => ranOf(id).length >= 1, 30_000);
      const changed = await patch(id, { batchSize: 2 });
      expect(changed.status, changed.text).toBe(200);
      await until('every message ran', async () => ranOf(id).flat().length >= 60, 60_000);
      await new Promise((r) => setTimeout(r, 500));
      // Each once, and in stream order: the 10 handed back (more than the new batch) before the entries after them.
      expect(ranOf(id).flat()).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      expect(
        ranOf(id)
          .slice(-5)
          .every((b) => b.length <= 2),
      ).toBe(true);
      await call(t.base, key, 'DELETE', `/v1/event-source-mappings/${id}`);
    } finally {
      await redis.del(stream);
      redis.disconnect();
    }
  });

  it('changed while its batching window waits: the entry read for that window is handed back and runs first, once', async () => {
    const stream = unique('window');
    const redis = redisClient();
    try {
      const m = await create({
        functionName: 'f',
        source: { type: 'redis', url: BROKERS.redis, stream },
        batchSize: 10,
        maximumBatchingWindowS: 2,
      });
      expect(m.status, m.text).toBe(201);
      const id = m.json.id as string;
      await until('the mapping Enabled', async () => (await get(id)).state === 'Enabled', 30_000);
      await redis.xadd(stream, '*', 'body', JSON.stringify({ n: 1 }));
      // The poller read entry 1 and waits for its window to fill (nothing runs yet): the mapping changes then.
      await until('entry 1 read', async () => ((await redis.xpending(stream, `tally-${id}`)) as [number])[0] === 1, 10_000);
      const changed = await patch(id, { batchSize: 5 });
      expect(changed.status, changed.text).toBe(200);
      await until('the change applied', async () => (await get(id)).state === 'Enabled', 30_000);
      const tx = redis.multi();
      for (let n = 2; n <= 5; n++) tx.xadd(stream, '*', 'body', JSON.stringify({ n }));
      await tx.exec();
      await until('every message ran', async () => ranOf(id).flat().length >= 5, 30_000);
      await new Promise((r) => setTimeout(r, 500));
      // Entry 1 was read before the others were published: it runs first (not a lease later, after them), once.
      expect(ranOf(id).flat()).toEqual([1, 2, 3, 4, 5]);
      await call(t.base, key, 'DELETE', `/v1/event-source-mappings/${id}`);
    } finally {
      await redis.del(stream);
      redis.disconnect();
    }
  });
});
