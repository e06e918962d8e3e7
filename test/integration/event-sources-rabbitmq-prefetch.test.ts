import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventSources } from '../../src/jobs/event-sources.js';
import { newTenant } from '../helpers/app.js';
import { BROKERS, mappingRoutes, rabbitQueue, type SeenInvocation, startSourcesJob, unique, watchInvocations } from '../helpers/brokers.js';
import { deploy, makeZip, until, useFunctionsApp } from '../helpers/functions.js';

/**
 * AMQP's prefetch count is 16 bits: a RabbitMQ mapping whose batches in flight (batchSize × (maximumConcurrency + 1))
 * come to more than 65,535 messages, within the settings the API takes, must still consume.
 */
const t = useFunctionsApp({ deps: { events: { retryBaseMs: 50, leaseMs: 3_000 } } });

const seen: SeenInvocation[] = [];
const watched = watchInvocations(() => t.services.invoke, seen);
let job: EventSources;
let key: string;
beforeAll(async () => {
  job = startSourcesJob(
    t,
    watched(() => job.holder),
  );
  key = (await newTenant(t.app)).accountKey;
  await deploy(t.base, key, 'bulk', makeZip([{ name: 'index.js', data: 'exports.handler = async () => "ok";' }]), {
    handler: 'index.handler',
  });
});
afterAll(() => job?.stop());

const { create, get, enabled } = mappingRoutes(
  () => t.base,
  () => key,
);

describe('a RabbitMQ mapping with large batches run at once', () => {
  it('consumes with batchSize 10,000 and maximumConcurrency 7 (a prefetch over 65,535)', async () => {
    const queue = unique('prefetch');
    const q = await rabbitQueue(queue);
    try {
      const m = await create({
        functionName: 'bulk',
        source: { type: 'rabbitmq', url: BROKERS.rabbitmq, queue },
        batchSize: 10_000,
        maximumConcurrency: 7,
        maximumBatchingWindowS: 0.2,
      });
      expect(m.status).toBe(201);
      await q.publish(['{"n":0}', '{"n":1}', '{"n":2}']);
      await until(
        'the three messages ran',
        async () => seen.filter((s) => s.status === 'success').flatMap((s) => Object.values(s.event.rmqMessagesByQueue).flat()).length >= 3,
        20_000,
      );
      await enabled(m.json.id);
      await until('the queue drained', async () => (await q.ready()) === 0);
      await until('OK reported', async () => (await get(m.json.id)).lastProcessingResult === 'OK');
    } finally {
      await q.close();
    }
  });
});
