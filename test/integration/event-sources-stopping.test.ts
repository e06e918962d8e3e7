import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventSources, startEventSources } from '../../src/jobs/event-sources.js';
import { systemClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import type { InvokeResult } from '../../src/modules/functions/invoke.service.js';
import { bearer, newTenant, useTestApp } from '../helpers/app.js';
import { BROKERS, unique } from '../helpers/brokers.js';
import { makeZip, until } from '../helpers/functions.js';

// A lease pass does not wait for a stopping poller's batch in flight (found by a review on 2026-12-07): it
// could take a function's whole timeout, while the replica's other leases ran out and went elsewhere.
const t = useTestApp();
const LEASE_MS = 1_500;
let job: EventSources;
let key: string;
let release: () => void = () => {};
const started: string[] = [];
const redis = new Redis(BROKERS.redis);

beforeAll(async () => {
  job = startEventSources({
    sources: t.services.sources,
    // A function that holds its first batch until the test lets it go.
    invoke: {
      invoke: async (_account, name): Promise<InvokeResult> => {
        started.push(name);
        if (name === 'slow') await new Promise<void>((resolve) => (release = resolve));
        return {
          requestId: 'r',
          version: 1,
          status: 'success',
          errorType: null,
          payload: Buffer.from('null'),
          billedDurationMs: '1',
          initDurationMs: null,
          logResult: null,
        };
      },
    },
    events: t.services.events,
    clock: systemClock,
    log: silentLogger(),
    options: { leaseMs: LEASE_MS, retryBaseMs: 50 },
  });
  key = (await newTenant(t.app)).accountKey;
  const zip = makeZip([{ name: 'index.js', data: 'exports.handler = async () => "ok";' }]);
  for (const name of ['slow', 'steady']) {
    const fn = await t.app.inject({
      method: 'POST',
      url: '/v1/functions',
      headers: bearer(key),
      payload: { name, runtime: 'nodejs', handler: 'index.handler', zipFile: zip.toString('base64') },
    });
    if (fn.statusCode !== 201) throw new Error(`function: ${fn.statusCode} ${fn.body}`);
  }
});
afterAll(async () => {
  release();
  await job?.stop();
  redis.disconnect();
});

const create = async (functionName: string, stream: string) => {
  const r = await t.app.inject({
    method: 'POST',
    url: '/v1/event-source-mappings',
    headers: bearer(key),
    payload: { functionName, source: { type: 'redis', url: BROKERS.redis, stream } },
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { id: string };
};

describe('a poller told to stop in the middle of a long batch', () => {
  it('does not hold up the lease passes: the replica keeps its other mappings, and gives the first back once its batch ended', async () => {
    const slowStream = unique('slow');
    const slow = await create('slow', slowStream);
    const steady = await create('steady', unique('steady'));
    await job.pass();
    await until('both polled', async () => job.running().includes(slow.id) && job.running().includes(steady.id), 15_000);
    await redis.xadd(slowStream, '*', 'n', '1');
    await until('the slow batch started', async () => started.includes('slow'), 15_000);

    const disabled = await t.app.inject({
      method: 'PATCH',
      url: `/v1/event-source-mappings/${slow.id}`,
      headers: bearer(key),
      payload: { enabled: false },
    });
    expect(disabled.statusCode).toBe(200);
    const passStarted = Date.now();
    await job.pass();
    expect(Date.now() - passStarted).toBeLessThan(LEASE_MS);
    // Two leases' time later, the steady mapping is still this replica's, renewed by the passes meanwhile.
    await new Promise((r) => setTimeout(r, 2 * LEASE_MS));
    const { rows } = await sql<{ holder: string | null; live: boolean }>`
      select lease_holder as holder, lease_expires_at > now() as live from event_source_mappings where id = ${steady.id}`.execute(t.db.db);
    expect(rows[0]).toEqual({ holder: job.holder, live: true });
    expect(job.running()).toContain(slow.id); // still finishing its batch

    release();
    await until('the slow poller stopped', async () => !job.running().includes(slow.id), 15_000);
    const state = async () =>
      (await t.app.inject({ method: 'GET', url: `/v1/event-source-mappings/${slow.id}`, headers: bearer(key) })).json().state;
    await until('given back: Disabled', async () => (await state()) === 'Disabled', 15_000);
    expect(job.running()).toContain(steady.id);
  });
});
