// What a deleted mapping leaves on its broker: nothing Tally made (docs/sources.md). Found by a review on 2026-12-07.
import { Redis } from 'ioredis';
import mqtt from 'mqtt';
import { RetentionPolicy, connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventSources } from '../../src/jobs/event-sources.js';
import { silentLogger } from '../../src/lib/logger.js';
import { bearer, newTenant, useTestApp } from '../helpers/app.js';
import { BROKERS, unique, startSourcesJob } from '../helpers/brokers.js';
import { makeZip, until } from '../helpers/functions.js';

const t = useTestApp();
let job: EventSources;
let nc: NatsConnection;
let key: string;

beforeAll(async () => {
  job = startSourcesJob(t, t.services.invoke, { log: silentLogger() });
  key = (await newTenant(t.app)).accountKey;
  const zip = makeZip([{ name: 'index.js', data: 'exports.handler = async () => "ok";' }]);
  const fn = await t.app.inject({
    method: 'POST',
    url: '/v1/functions',
    headers: bearer(key),
    payload: { name: 'sink', runtime: 'nodejs', handler: 'index.handler', zipFile: zip.toString('base64') },
  });
  if (fn.statusCode !== 201) throw new Error(`function: ${fn.statusCode} ${fn.body}`);
  nc = await connect({ servers: '127.0.0.1:4222' });
});
afterAll(async () => {
  await job?.stop();
  await nc?.close();
});

const create = async (body: Record<string, unknown>) => {
  const r = await t.app.inject({ method: 'POST', url: '/v1/event-source-mappings', headers: bearer(key), payload: body });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { id: string };
};
const get = async (id: string) =>
  (await t.app.inject({ method: 'GET', url: `/v1/event-source-mappings/${id}`, headers: bearer(key) })).json() as {
    state: string;
    lastProcessingResult: string | null;
  };

describe('a deleted event source mapping', () => {
  it('deleting a NATS mapping removes the durable consumer Tally made for it (a work-queue stream takes a new mapping)', async () => {
    const jsm = await nc.jetstreamManager();
    const stream = unique('wq').replace(/-/g, '_');
    await jsm.streams.add({ name: stream, subjects: [`${stream}.>`], retention: RetentionPolicy.Workqueue });
    try {
      const first = await create({ functionName: 'sink', source: { type: 'nats', url: 'nats://127.0.0.1:4222', stream } });
      await job.pass();
      await until('first mapping Enabled', async () => (await get(first.id)).state === 'Enabled', 15_000);
      expect((await jsm.consumers.info(stream, `tally-${first.id}`)).name).toBe(`tally-${first.id}`);

      const deleted = await t.app.inject({ method: 'DELETE', url: `/v1/event-source-mappings/${first.id}`, headers: bearer(key) });
      expect(deleted.statusCode).toBe(202);
      await job.pass();
      await until('first poller stopped', async () => !job.running().includes(first.id), 15_000);

      // A replacement mapping of the same stream (the ordinary way to change a mapping, as PATCH changes `enabled` only).
      const second = await create({ functionName: 'sink', source: { type: 'nats', url: 'nats://127.0.0.1:4222', stream } });
      await job.pass();
      const enabled = await until(
        'second mapping Enabled',
        async () => {
          const m = await get(second.id);
          return m.state === 'Enabled' ? m : null;
        },
        10_000,
      ).catch(async () => get(second.id));
      const leftover = (await jsm.consumers.list(stream).next()).map((c) => c.name);
      await t.app.inject({ method: 'DELETE', url: `/v1/event-source-mappings/${second.id}`, headers: bearer(key) });
      await job.pass();
      expect({ consumers: leftover, state: enabled.state }).toEqual({ consumers: [`tally-${second.id}`], state: 'Enabled' });
      expect(enabled.lastProcessingResult ?? '').not.toMatch(/PROBLEM/);
      // And the second one's consumer goes with it.
      await until('second poller stopped', async () => !job.running().includes(second.id), 15_000);
      expect((await jsm.consumers.list(stream).next()).map((c) => c.name)).toEqual([]);
    } finally {
      await jsm.streams.delete(stream).catch(() => {});
    }
  });

  it('destroys the Redis consumer group Tally made for it, and keeps one the user named', async () => {
    const redis = new Redis(BROKERS.redis);
    const stream = unique('cleanup');
    const groups = async () => ((await redis.call('XINFO', 'GROUPS', stream)) as unknown[][]).map((g) => String(g[1]));
    try {
      await redis.xgroup('CREATE', stream, 'theirs', '$', 'MKSTREAM');
      const ours = await create({ functionName: 'sink', source: { type: 'redis', url: BROKERS.redis, stream } });
      const named = await create({ functionName: 'sink', source: { type: 'redis', url: BROKERS.redis, stream, group: 'theirs' } });
      await job.pass();
      await until(
        'both Enabled',
        async () => (await get(ours.id)).state === 'Enabled' && (await get(named.id)).state === 'Enabled',
        15_000,
      );
      expect((await groups()).sort()).toEqual([`tally-${ours.id}`, 'theirs'].sort());
      for (const m of [ours, named]) {
        const r = await t.app.inject({ method: 'DELETE', url: `/v1/event-source-mappings/${m.id}`, headers: bearer(key) });
        expect(r.statusCode).toBe(202);
      }
      await job.pass();
      await until('pollers stopped', async () => !job.running().includes(ours.id) && !job.running().includes(named.id), 15_000);
      expect(await groups()).toEqual(['theirs']);
    } finally {
      await redis.del(stream);
      redis.disconnect();
    }
  });

  it('ends its MQTT persistent session, so that the broker stops keeping messages for it', async () => {
    const topic = unique('cleanup/mqtt');
    const m = await create({ functionName: 'sink', source: { type: 'mqtt', url: BROKERS.mqtt, topic } });
    await job.pass();
    await until('Enabled', async () => (await get(m.id)).state === 'Enabled', 15_000);
    const r = await t.app.inject({ method: 'DELETE', url: `/v1/event-source-mappings/${m.id}`, headers: bearer(key) });
    expect(r.statusCode).toBe(202);
    await job.pass();
    await until('poller stopped', async () => !job.running().includes(m.id), 15_000);
    // A client taking the mapping's id finds no session kept for it.
    const present = await new Promise<boolean>((resolve, reject) => {
      const client = mqtt.connect(BROKERS.mqtt, { clientId: `tally-${m.id}`, clean: false, protocolVersion: 5, reconnectPeriod: 0 });
      client.once('connect', (connack) => {
        resolve(connack.sessionPresent);
        client.end(true);
      });
      client.once('error', reject);
    });
    expect(present).toBe(false);
  });
});
