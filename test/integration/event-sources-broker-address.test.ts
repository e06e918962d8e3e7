import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventSources } from '../../src/jobs/event-sources.js';
import { newTenant } from '../helpers/app.js';
import { BROKERS, mappingRoutes, startSourcesJob, unique } from '../helpers/brokers.js';
import { deploy, makeZip, until, useFunctionsApp } from '../helpers/functions.js';

/**
 * A tenant's broker URL may not make the api a client of the platform's own services: its database server (here the
 * test's, 127.0.0.1:5432), its listeners, or a cloud metadata address. Names are resolved by a resolver the test
 * controls, so that one can move onto such an address after the mapping was made.
 */
const names = new Map<string, string>([
  ['metadata.test', '169.254.169.254'],
  ['db.test', '127.0.0.1'],
]);
const t = useFunctionsApp({
  deps: {
    events: { retryBaseMs: 50, leaseMs: 3_000 },
    brokers: {
      platform: [{ host: 'db.test', port: 5432, what: "Tally's database server" }],
      resolver: async (host) => {
        const a = names.get(host);
        if (!a) throw Object.assign(new Error(`${host} not found`), { code: 'ENOTFOUND' });
        return [{ address: a }];
      },
    },
  },
});

let key: string;
let job: EventSources | undefined;
beforeAll(async () => {
  key = (await newTenant(t.app)).accountKey;
  await deploy(t.base, key, 'reader', makeZip([{ name: 'index.js', data: 'exports.handler = async () => ({});' }]), {
    handler: 'index.handler',
  });
});
afterAll(() => job?.stop());

const { create, get } = mappingRoutes(
  () => t.base,
  () => key,
);

describe("broker URLs that reach the platform's own services", () => {
  it.each([
    ['the database server by another loopback address', { type: 'rabbitmq', url: 'amqp://guest:guest@127.0.0.2:5432/', queue: 'q' }],
    ['the database server as localhost', { type: 'redis', url: 'redis://localhost:5432', stream: 's' }],
    ['the database server by its own name', { type: 'postgres', url: 'postgres://postgres@db.test/postgres', publication: 'p' }],
    ['the database server as an IPv4-mapped IPv6 address', { type: 'nats', url: 'nats://[::ffff:127.0.0.1]:5432', stream: 's' }],
    ['the metadata service', { type: 'redis', url: 'redis://169.254.169.254:6379', stream: 's' }],
    ['a name of the metadata service', { type: 'mqtt', url: 'mqtt://metadata.test', topic: 't' }],
  ])('refuses %s with a 400, and stores nothing', async (_what, source) => {
    const r = await create({ functionName: 'reader', source, enabled: false });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('VALIDATION_FAILED');
    expect(r.json.error.message).toMatch(/platform's own services/);
    const list = await t.app.inject({ method: 'GET', url: '/v1/event-source-mappings', headers: { authorization: `Bearer ${key}` } });
    expect(list.json().eventSourceMappings).toEqual([]);
  });

  it('still takes a broker beside Tally on loopback', async () => {
    const r = await create({ functionName: 'reader', source: { type: 'redis', url: BROKERS.redis, stream: unique('ok') }, enabled: false });
    expect(r.status).toBe(201);
  });

  it('does not connect when the name moved onto the database server after the mapping was made', async () => {
    names.set('broker.test', '192.0.2.10');
    const r = await create({ functionName: 'reader', source: { type: 'redis', url: 'redis://broker.test:5432', stream: unique('moved') } });
    expect(r.status).toBe(201);
    names.set('broker.test', '127.0.0.1');
    job = startSourcesJob(t);
    await until('the refusal reported', async () => /refused: .*Tally's database server/.test((await get(r.json.id)).lastProcessingResult));
    expect((await get(r.json.id)).state).not.toBe('Enabled');
  });
});
