import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { BROKERS, rabbitQueue, unique } from '../helpers/brokers.js';
import { until } from '../helpers/functions.js';
import { useSourcesTenant } from '../helpers/sources-app.js';

/**
 * A RabbitMQ queue deleted under a running mapping (and declared again, as a deploy that changes its arguments
 * does): the broker cancels the consumer and closes the channel. The poller must notice, say so, and consume again
 * once the queue is back, rather than sit on a dead channel until the api restarts.
 */
const { seen, routes } = useSourcesTenant({ name: 'consumer', handler: 'async () => "ok"' });
const { create, get, enabled } = routes;

const ran = () =>
  seen
    .filter((s) => s.status === 'success')
    .flatMap((s) => Object.values(s.event.rmqMessagesByQueue as Record<string, { data: string }[]>).flat())
    .map((m) => JSON.parse(Buffer.from(m.data, 'base64').toString()).n as number);

describe('a RabbitMQ queue deleted and declared again', () => {
  it('is consumed again once it is back', async () => {
    const queue = unique('gone-q');
    let q = await rabbitQueue(queue);
    try {
      const m = await create({
        functionName: 'consumer',
        source: { type: 'rabbitmq', url: BROKERS.rabbitmq, queue },
        maximumBatchingWindowS: 0.1,
      });
      expect(m.status).toBe(201);
      await enabled(m.json.id);
      await q.publish(['{"n":1}']);
      await until('the first message ran', async () => ran().includes(1));

      const conn = await amqp.connect(BROKERS.rabbitmq);
      const ch = await conn.createChannel();
      await ch.deleteQueue(queue);
      await conn.close();
      await q.close();
      await until('the lost queue reported', async () => /PROBLEM/.test((await get(m.json.id)).lastProcessingResult), 15_000);

      q = await rabbitQueue(queue);
      await q.publish(['{"n":2}']);
      await until('the message on the queue declared again ran', async () => ran().includes(2), 20_000);
    } finally {
      await q.close();
    }
  });
});
