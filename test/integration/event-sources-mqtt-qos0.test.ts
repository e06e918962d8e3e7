import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { BROKERS, unique } from '../helpers/brokers.js';
import { until } from '../helpers/functions.js';
import { useSourcesTenant } from '../helpers/sources-app.js';

/**
 * A message that reaches the mapping's session at QoS 0 (published at QoS 0, the usual for telemetry, whatever the
 * subscription's QoS; or any message on a `qos: 0` mapping) has no PUBACK to hold back: it must still run.
 */
const { seen, routes } = useSourcesTenant({ name: 'sensor', handler: 'async (e) => e.n' });
const { create, enabled } = routes;

async function publishAll(topic: string, qos: 0 | 1, count: number) {
  const client = await mqtt.connectAsync(BROKERS.mqtt, { clientId: unique('pub'), clean: true });
  try {
    for (let n = 0; n < count; n++) await client.publishAsync(topic, JSON.stringify({ n, topic }), { qos });
  } finally {
    await client.endAsync();
  }
}

const ran = (topic: string) => seen.filter((s) => s.event.topic === topic && s.status === 'success').map((s) => s.event.n as number);

describe('MQTT messages delivered at QoS 0', () => {
  it.each([
    ['a QoS 1 mapping, messages published at QoS 0', 1, 0],
    ['a QoS 0 mapping, messages published at QoS 1', 0, 1],
  ] as const)('%s: each runs once, in order', async (_what, subscribeQos, publishQos) => {
    const topic = unique('qos0');
    const m = await create({ functionName: 'sensor', source: { type: 'mqtt', url: BROKERS.mqtt, topic, qos: subscribeQos } });
    expect(m.status).toBe(201);
    await enabled(m.json.id);
    await publishAll(topic, publishQos, 5);
    await until('five messages ran', async () => ran(topic).length >= 5, 20_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(ran(topic)).toEqual([0, 1, 2, 3, 4]);
  });
});
