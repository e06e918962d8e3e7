import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSandboxConfig } from '../../executor/config.js';
import { type Executor, startExecutor } from '../../executor/main.js';
import { silentLogger } from '../../src/lib/logger.js';
import { BROKERS, rabbitQueue, receiver, redisClient, unique } from '../helpers/brokers.js';
import { removeTestDir } from '../helpers/cleanup.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { b64, makeZip, until } from '../helpers/functions.js';
import { type ApiProcess, callApi, startApi } from '../helpers/process.js';

const ADMIN_KEY = 'sources_admin_key_0123456789abcdef';
// Every message fails: each one must reach the failure destination (a webhook this test receives),
// which proves it was neither lost nor acknowledged before its outcome was durable.
const CODE = `exports.handler = async () => { await new Promise((r) => setTimeout(r, 150)); throw new Error('rejected'); };`;

/** The message numbers a failure record carries (aws:rmq or a stream's Records). */
function numbersIn(record: any): number[] {
  const e = record.requestPayload;
  const texts: string[] = e.rmqMessagesByQueue
    ? Object.values(e.rmqMessagesByQueue as Record<string, { data: string }[]>)
        .flat()
        .map((m) => Buffer.from(m.data, 'base64').toString())
    : e.Records.map((r: any) => r.fields.body);
  return texts.map((t) => JSON.parse(t).n as number);
}

/**
 * Two api processes on one database with their pollers, sharing TALLY_SECRET_KEY and an executor.
 * The one holding the mappings is killed with SIGKILL mid-batch; the other takes the mappings over
 * within a lease and every message still reaches its outcome.
 */
describe('event sources across api processes', () => {
  let db: TestDatabase;
  let tmp: string;
  let apiA: ApiProcess;
  let apiB: ApiProcess;
  let executor: Executor;
  let key: string;
  let dlq: Awaited<ReturnType<typeof receiver>>;
  const env = () => ({
    DATABASE_URL: db.ownerUrl,
    TALLY_APP_DATABASE_URL: db.url,
    TALLY_ADMIN_KEY: ADMIN_KEY,
    TALLY_EXECUTOR: 'off',
    TALLY_ASYNC_LEASE_S: '2',
    TALLY_ASYNC_RETRY_BASE_MS: '100',
    TALLY_ALLOW_PRIVATE_WEBHOOKS: 'on',
    TALLY_SECRET_KEY: secret,
    TALLY_DATA_DIR: tmp,
  });
  const secret = randomBytes(32).toString('base64');

  beforeAll(async () => {
    db = await createTestDatabase();
    tmp = mkdtempSync(join(tmpdir(), 'tally-sources-'));
    dlq = await receiver();
    apiA = await startApi(env());
    const account = await callApi(apiA.base, ADMIN_KEY, 'POST', '/v1/accounts', { name: 'sources' });
    key = (await callApi(apiA.base, ADMIN_KEY, 'POST', `/v1/accounts/${account.json.id}/keys`, { role: 'account' })).json.key;
    const r = await callApi(apiA.base, key, 'POST', '/v1/functions', {
      name: 'reject',
      runtime: 'nodejs',
      handler: 'index.handler',
      zipFile: b64(makeZip([{ name: 'index.js', data: CODE }])),
    });
    expect(r.status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    for (const api of [apiA, apiB]) if (api && api.child.exitCode === null && api.child.signalCode === null) await api.terminate();
    await executor?.stop();
    await dlq?.close();
    await db?.drop();
    if (tmp) await removeTestDir(tmp);
  });

  it('SIGKILL of the api holding the mappings mid-batch: the other takes over, no message is lost, queue and stream end drained', async () => {
    const queue = unique('kq');
    const stream = unique('ks');
    const q = await rabbitQueue(queue);
    const redis = redisClient();
    try {
      const settings = { functionName: 'reject', maximumRetryAttempts: 0, destinations: { onFailure: { type: 'webhook', url: dlq.url } } };
      const rmq = await callApi(apiA.base, key, 'POST', '/v1/event-source-mappings', {
        ...settings,
        source: { type: 'rabbitmq', url: BROKERS.rabbitmq, queue },
        batchSize: 2,
        maximumConcurrency: 2,
        maximumBatchingWindowS: 0.1,
      });
      const rds = await callApi(apiA.base, key, 'POST', '/v1/event-source-mappings', {
        ...settings,
        source: { type: 'redis', url: BROKERS.redis, stream },
        batchSize: 3,
      });
      expect([rmq.status, rds.status]).toEqual([201, 201]);
      const state = async (id: string) => (await callApi(apiA.base, key, 'GET', `/v1/event-source-mappings/${id}`)).json;
      // Only A runs so far: it holds both mappings.
      await until(
        'both Enabled on A',
        async () => (await state(rmq.json.id)).state === 'Enabled' && (await state(rds.json.id)).state === 'Enabled',
      );
      apiB = await startApi(env());
      // The executor reports to B, which stays up.
      const fleet = await callApi(apiB.base, ADMIN_KEY, 'POST', '/v1/keys', { role: 'executor' });
      executor = await startExecutor({
        apiUrl: apiB.base,
        key: fleet.json.key,
        host: '127.0.0.1',
        port: 0,
        dir: join(tmp, 'executor'),
        capacity: 8,
        idleTimeoutMs: 60_000,
        flushIntervalMs: 100,
        shutdownTimeoutMs: 5_000,
        logLevel: 'silent',
        logger: silentLogger(),
        sandbox: { ...parseSandboxConfig({}), spares: 1 },
      });

      const count = 24;
      await q.publish(Array.from({ length: count }, (_, n) => JSON.stringify({ n })));
      for (let n = 0; n < count; n++) await redis.xadd(stream, '*', 'body', JSON.stringify({ n }));
      await until('a few outcomes', async () => dlq.got.length >= 3);
      apiA.child.kill('SIGKILL');
      await apiA.exited;

      const outcomes = () => {
        const byMapping = new Map<string, Set<number>>();
        for (const g of dlq.got) {
          const r = JSON.parse(g.body);
          const id = String(r.eventSourceMappingArn).split(':').pop()!;
          const set = byMapping.get(id) ?? new Set<number>();
          for (const n of numbersIn(r)) set.add(n);
          byMapping.set(id, set);
        }
        return byMapping;
      };
      await until(
        'every message at its outcome',
        async () => outcomes().get(rmq.json.id)?.size === count && outcomes().get(rds.json.id)?.size === count,
        45_000,
      ).catch((err) => {
        throw new Error(
          `${err.message}: ${JSON.stringify([...outcomes()].map(([k, v]) => [k, [...v].sort((a, b) => a - b)]))}\n${apiB.output().slice(-3000)}`,
        );
      });
      const viaB = async (id: string) => (await callApi(apiB.base, key, 'GET', `/v1/event-source-mappings/${id}`)).json;
      await until(
        'drained',
        async () => {
          const pending = (await redis.xpending(stream, `tally-${rds.json.id}`)) as [number];
          return (await q.ready()) === 0 && pending[0] === 0 && (await viaB(rmq.json.id)).lag === 0;
        },
        20_000,
      );
      expect((await viaB(rmq.json.id)).state).toBe('Enabled');
      // Written at B's next lease pass.
      await until('last result', async () => (await viaB(rds.json.id)).lastProcessingResult.includes('failure destination'), 10_000);
    } finally {
      await q.close();
      await redis.del(stream);
      redis.disconnect();
    }
  }, 120_000);
});
