import { describe, expect, it } from 'vitest';
import { BROKERS, rabbitQueue, unique } from '../helpers/brokers.js';
import { until } from '../helpers/functions.js';
import { useSourcesTenant } from '../helpers/sources-app.js';

/**
 * AMQP's prefetch count is 16 bits: a RabbitMQ mapping whose batches in flight (batchSize × (maximumConcurrency + 1))
 * come to more than 65,535 messages, within the settings the API takes, must still consume.
 */
const { seen, routes } = useSourcesTenant({ name: 'bulk', handler: 'async () => "ok"' });
const { create, get, enabled } = routes;

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
