import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import mqtt from 'mqtt';
import { connect, type NatsConnection } from 'nats';
import { type EventSources, startEventSources } from '../../src/jobs/event-sources.js';
import type { Services } from '../../src/app.js';
import { type Clock, systemClock } from '../../src/lib/clock.js';
import type { InvokeService } from '../../src/modules/functions/invoke.service.js';
import { call, until } from './functions.js';

/** What a poller ran and how it ended, as `watchInvocations` records it. */
export interface SeenInvocation {
  holder: string;
  fn: string;
  event: any;
  status: string;
  result: any;
}

/**
 * The real invoke service (`real()`, read at each call: the app starts after this is made),
 * watched: each invocation, with the poller's holder that ran it, is pushed onto `seen`.
 */
export function watchInvocations(real: () => Pick<InvokeService, 'invoke'>, seen: SeenInvocation[]) {
  return (holder: () => string): Pick<InvokeService, 'invoke'> => ({
    async invoke(accountId, name, payload, opts) {
      const r = await real().invoke(accountId, name, payload, opts);
      let result: unknown = null;
      try {
        result = JSON.parse(r.payload.toString());
      } catch {}
      seen.push({ holder: holder(), fn: name, event: JSON.parse(payload.toString()), status: r.status, result });
      return r;
    },
  });
}

/**
 * The event-source job over an app's services, as the tests run it: leases of `leaseMs` (1.5 s) and retries 50 ms
 * apart, invoking through `invoke` (the app's own, or a watched one).
 */
export function startSourcesJob(
  t: { services: Services; app: { log: Parameters<typeof startEventSources>[0]['log'] } },
  invoke: Pick<InvokeService, 'invoke'> = t.services.invoke,
  opts: { leaseMs?: number; clock?: Clock; log?: Parameters<typeof startEventSources>[0]['log'] } = {},
): EventSources {
  return startEventSources({
    sources: t.services.sources,
    invoke,
    events: t.services.events,
    clock: opts.clock ?? systemClock,
    log: opts.log ?? t.app.log,
    options: { leaseMs: opts.leaseMs ?? 1_500, retryBaseMs: 50 },
  });
}

/** The brokers this machine runs (scripts/brokers.sh starts them in CI). */
export const BROKERS = {
  rabbitmq: 'amqp://guest:guest@127.0.0.1:5672/',
  redis: 'redis://127.0.0.1:6379',
  mqtt: 'mqtt://127.0.0.1:1883',
  nats: 'nats://127.0.0.1:4222',
};

/**
 * The event source mapping routes as a tenant calls them. `base` and `key` are read at each call:
 * the tests set them in beforeAll, after this is made.
 */
export function mappingRoutes(base: () => string, key: () => string) {
  const get = async (id: string) => (await call(base(), key(), 'GET', `/v1/event-source-mappings/${id}`)).json;
  return {
    create: (body: unknown) => call(base(), key(), 'POST', '/v1/event-source-mappings', body),
    get,
    enabled: (id: string) => until(`mapping ${id} Enabled`, async () => (await get(id)).state === 'Enabled', 30_000),
  };
}

/** A name no other test (or run) uses. */
export const unique = (prefix: string) => `tally-test-${prefix}-${randomUUID().slice(0, 8)}`;

export async function rabbitQueue(name: string) {
  const conn = await amqp.connect(BROKERS.rabbitmq);
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue(name, { durable: true });
  return {
    async publish(bodies: string[], messageId?: (i: number) => string) {
      for (const [i, b] of bodies.entries()) {
        ch.sendToQueue(name, Buffer.from(b), { persistent: true, ...(messageId ? { messageId: messageId(i) } : {}) });
      }
      await ch.waitForConfirms();
    },
    /** Ready and unacknowledged messages (the management view's "messages"): unacked ones are seen through the consumer count being 0 after close. */
    ready: async () => (await ch.checkQueue(name)).messageCount,
    async close() {
      await ch.deleteQueue(name).catch(() => {});
      await conn.close().catch(() => {});
    },
  };
}

export function redisClient() {
  return new Redis(BROKERS.redis);
}

export async function natsStream(
  stream: string,
  subject: string,
): Promise<{ nc: NatsConnection; publish(bodies: string[]): Promise<void>; close(): Promise<void> }> {
  const nc = await connect({ servers: '127.0.0.1:4222' });
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: stream, subjects: [subject] });
  const js = nc.jetstream();
  return {
    nc,
    async publish(bodies) {
      for (const b of bodies) await js.publish(subject, Buffer.from(b));
    },
    async close() {
      await jsm.streams.delete(stream).catch(() => {});
      await nc.close();
    },
  };
}

export async function mqttPublisher() {
  const client = await mqtt.connectAsync(BROKERS.mqtt, { clientId: unique('pub'), clean: true });
  return {
    publish: (topic: string, bodies: string[]) => Promise.all(bodies.map((b) => client.publishAsync(topic, b, { qos: 1 }))),
    close: () => client.endAsync(),
  };
}

/** An HTTP receiver on loopback that answers `status` (200) and keeps what it got (destination webhooks). */
export async function receiver(status = 200) {
  const got: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(status).end(status === 204 ? undefined : 'ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/dlq`,
    got,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
