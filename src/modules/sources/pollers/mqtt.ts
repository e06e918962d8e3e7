import { createHash } from 'node:crypto';
import mqtt from 'mqtt';
import { Stopped } from '../batch-runner.js';
import { mqttClientContext, mqttEvent } from '../source-events.js';
import type { Mapping } from '../sources.repository.js';
import { aborted, type PollerContext, withReconnect } from './poller.js';

/**
 * An MQTT topic filter (IoT rules): a persistent session (client id `tally-<mapping id>`, clean
 * start off) subscribed at QoS 1, one invocation per message. The PUBACK is held back until the
 * message's invocation succeeded or reached the failure destination, so the broker keeps and
 * redelivers whatever a dead or stopped poller left unacknowledged (and queues what arrives while
 * no poller is connected). A takeover connects with the same client id; the broker ends the old one.
 */
export function pollMqtt(ctx: PollerContext): Promise<void> {
  const m = ctx.mapping;
  const topic = m.source.topic!;
  const qos = m.source.qos ?? 1;
  return withReconnect(ctx, async () => {
    const inFlight = new Set<Promise<void>>();
    /** Runs one message; resolves once it succeeded or reached the failure destination, rejects with Stopped or a database error. */
    const runMessage = (t: string, payload: Buffer, userProperties: Record<string, string | string[]> | undefined) => {
      const id = createHash('sha256').update(t).update('\n').update(payload).digest('hex');
      const clientContext = mqttClientContext({ messageId: id, topic: t, userProperties });
      const run = ctx.runner.run(
        [payload],
        () => id,
        () => Buffer.from(mqttEvent(t, payload)),
        { bisect: false, clientContext },
      );
      const tracked = run.catch(() => {}).finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      return run;
    };
    const client = mqtt.connect(ctx.url, {
      clientId: `tally-${m.id}`,
      clean: false,
      // MQTT 5: mqtt.js holds PUBACKs back (customHandleAcks) only on v5; the session outlives a
      // disconnect for a week, so messages published while no poller is connected are kept.
      protocolVersion: 5,
      properties: { sessionExpiryInterval: 7 * 24 * 3600 },
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      keepalive: 10,
      customHandleAcks: (t, payload, packet, done) => {
        runMessage(t, payload, packet.properties?.userProperties)
          .then(() => done(0))
          .catch((err: unknown) => {
            // No PUBACK: the broker redelivers it on the next session. Refused because the poller is finishing its
            // messages in flight for a change of the mapping: the session must stay up until their PUBACKs are out.
            if (err instanceof Stopped && ctx.runner.finishing && !ctx.signal.aborted) return;
            if (!(err instanceof Stopped)) ctx.log.error({ err }, 'an MQTT message failed before an outcome; left unacknowledged');
            client.end(true);
          });
      },
    });
    // A message that arrives at QoS 0 (published at QoS 0, whatever the subscription's QoS, or any message of a
    // `qos: 0` mapping) has no PUBACK: mqtt.js never passes it to customHandleAcks, only here, and takes the next
    // packet once this calls back. So it runs one at a time and in order too; with nothing to acknowledge, the broker
    // cannot give it again, and one cut short by a stop is gone, as QoS 0 means. Set before the connection opens:
    // the session's first messages may come right behind the CONNACK.
    client.handleMessage = (packet, callback) => {
      if (packet.qos !== 0) return callback();
      runMessage(String(packet.topic), Buffer.from(packet.payload), packet.properties?.userProperties)
        .catch((err: unknown) => {
          if (!(err instanceof Stopped)) ctx.log.error({ err }, 'an MQTT QoS 0 message failed before an outcome; it cannot be redelivered');
        })
        .finally(() => callback());
    };
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', (err) => {
        client.end(true);
        reject(err);
      });
      client.once('close', () => reject(new Error('the MQTT connection closed before it was accepted')));
    });
    try {
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      client.on('error', () => {});
      await client.subscribeAsync(topic, { qos });
      ctx.subscribed();
      await Promise.race([closed, aborted(ctx.signal)]);
    } finally {
      await Promise.allSettled([...inFlight]);
      await client.endAsync(true).catch(() => {});
    }
  });
}

/**
 * Ends the persistent session of a deleted mapping (client id `tally-<id>`): a clean start with the
 * same id discards it, and with it the messages the broker would otherwise queue for a week. Idempotent.
 */
export async function forgetMqtt(m: Mapping, url: string): Promise<void> {
  const client = await mqtt.connectAsync(url, {
    clientId: `tally-${m.id}`,
    clean: true,
    protocolVersion: 5,
    properties: { sessionExpiryInterval: 0 },
    reconnectPeriod: 0,
    connectTimeout: 10_000,
  });
  await client.endAsync();
}
