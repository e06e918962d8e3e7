import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { silentLogger } from '../../src/lib/logger.js';
import { fixedClock } from '../../src/lib/clock.js';
import { admin, ADMIN_KEY, bearer, newTenant } from '../helpers/app.js';
import { makeZip } from '../helpers/functions.js';
import { useReplicas } from '../helpers/replicas.js';

const t = useReplicas(2, { rateLimits: { authFailures: 3, expensive: 2, windowMs: 60_000 } });
const [a, b] = [() => t.replicas[0]!.app, () => t.replicas[1]!.app];

const ZIP = makeZip([{ name: 'index.js', data: 'exports.handler = async (e) => e;\n' }]);
const NOTIFICATION = JSON.stringify({ Records: [{ eventName: 's3:ObjectCreated:Put', s3: { object: { key: 'cat.jpg' } } }] });

const QUOTE = { freeTier: false, workloads: [{ architecture: 'x86_64', memoryMb: 128, requests: 1000, durationMs: 10 }] };

function expectLimited(r: { statusCode: number; headers: Record<string, unknown>; json(): any }) {
  expect(r.statusCode).toBe(429);
  expect(r.json().error).toMatchObject({ code: 'RATE_LIMITED', requestId: expect.any(String) });
  expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(Number(r.headers['retry-after'])).toBeLessThanOrEqual(60);
}

describe('failed authentication, per source address, across replicas', () => {
  it('refuses an address after too many failures on any replica, still serving keys it verified, and not other addresses', async () => {
    const tenant = await newTenant(a());
    const remoteAddress = '198.51.100.23';
    const get = (app: typeof a, key: string, from = remoteAddress) =>
      app().inject({ method: 'GET', url: `/v1/accounts/${tenant.id}`, headers: bearer(key), remoteAddress: from });
    expect((await get(b, tenant.accountKey)).statusCode).toBe(200); // verified lately on b

    for (const app of [a, b, a]) expect((await get(app, 'tly_acc_guess')).statusCode).toBe(401);
    expectLimited(await get(b, 'tly_acc_guess')); // the 4th failure, counted with a's
    expectLimited(await get(b, 'tly_acc_another_guess'));
    expect((await b().inject({ method: 'GET', url: '/v1/budgets', remoteAddress })).statusCode).toBe(429); // no key at all
    // a key b verified lately still works from there; one b has not seen is not looked up
    expect((await get(b, tenant.accountKey)).statusCode).toBe(200);
    const other = await newTenant(a());
    expectLimited(await b().inject({ method: 'GET', url: `/v1/accounts/${other.id}`, headers: bearer(other.accountKey), remoteAddress }));
    // another address is not concerned
    expect((await get(b, 'tly_acc_guess', '198.51.100.24')).statusCode).toBe(401);
  });
});

describe('s3-webhook tokens and the failed-authentication limit', () => {
  it('counts wrong webhook tokens against the address on every replica; past the limit even the right token is refused', async () => {
    const tenant = await newTenant(a());
    const fn = await a().inject({
      method: 'POST',
      url: '/v1/functions',
      headers: bearer(tenant.accountKey),
      payload: { name: 'intake', runtime: 'nodejs', handler: 'index.handler', zipFile: ZIP.toString('base64') },
      remoteAddress: '203.0.113.50',
    });
    expect(fn.statusCode).toBe(201);
    const m = await a().inject({
      method: 'POST',
      url: '/v1/event-source-mappings',
      headers: bearer(tenant.accountKey),
      payload: { functionName: 'intake', source: { type: 's3-webhook' } },
      remoteAddress: '203.0.113.50',
    });
    expect(m.statusCode).toBe(201);
    const { id, token } = m.json() as { id: string; token: string };
    const remoteAddress = '198.51.100.60';
    const post = (app: typeof a, tok: string | null, from = remoteAddress) =>
      app().inject({
        method: 'POST',
        url: `/v1/event-source-mappings/${id}/notifications`,
        headers: { 'content-type': 'application/json', ...(tok ? { authorization: `Bearer ${tok}` } : {}) },
        payload: NOTIFICATION,
        remoteAddress: from,
      });
    expect((await post(a, token, '198.51.100.61')).statusCode).toBe(202); // the token works

    // Three wrong tokens (a missing one counts too) on two replicas; the fourth is past the limit of 3.
    expect((await post(a, 'tsk_guess_1')).statusCode).toBe(401);
    expect((await post(b, null)).statusCode).toBe(401);
    expect((await post(a, 'tsk_guess_2')).statusCode).toBe(401);
    expectLimited(await post(b, 'tsk_guess_3'));
    // Refused with the right token too (no lookup), and on the other routes; on a, from its first failure
    // past the shared count (as for keys: rate-limits.ts).
    expectLimited(await post(b, token));
    expectLimited(await post(a, 'tsk_guess_4'));
    expectLimited(await post(a, token));
    expectLimited(await a().inject({ method: 'GET', url: '/v1/budgets', headers: bearer('tly_acc_guess'), remoteAddress }));
    // Another address is not concerned.
    expect((await post(b, token, '198.51.100.62')).statusCode).toBe(202);
  });
});

describe('expensive routes, per key and per source address, across replicas', () => {
  it('counts a key over every replica', async () => {
    const tenant = await newTenant(a());
    const quote = (app: typeof a, from: string) =>
      app().inject({ method: 'POST', url: '/v1/quote', headers: bearer(tenant.accountKey), payload: QUOTE, remoteAddress: from });
    expect((await quote(a, '192.0.2.1')).statusCode).toBe(200);
    expect((await quote(b, '192.0.2.2')).statusCode).toBe(200);
    const third = await quote(a, '192.0.2.3');
    expectLimited(third);
    expect(third.json().error.message).toMatch(/this API key/);
    // cheap routes are not counted
    expect((await a().inject({ method: 'GET', url: `/v1/accounts/${tenant.id}`, headers: bearer(tenant.accountKey) })).statusCode).toBe(
      200,
    );
  });

  it('counts an address over every key', async () => {
    const [x, y] = [await newTenant(a()), await newTenant(a())];
    const from = '192.0.2.50';
    const usage = (app: typeof a, key: string) =>
      app().inject({
        method: 'GET',
        url: '/v1/usage?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z',
        headers: bearer(key),
        remoteAddress: from,
      });
    expect((await usage(a, x.accountKey)).statusCode).toBe(200);
    expect((await usage(b, y.accountKey)).statusCode).toBe(200);
    const r = await usage(b, y.accountKey);
    expectLimited(r);
    expect(r.json().error.message).toMatch(/this address/);
  });
});

describe('body limits', () => {
  it('refuses a large body on a route that takes small JSON (413), before parsing it', async () => {
    const tenant = await newTenant(a());
    const r = await a().inject({
      method: 'POST',
      url: '/v1/budgets',
      headers: bearer(tenant.accountKey),
      payload: { amount: '1.00', padding: 'x'.repeat(100 * 1024) },
    });
    expect(r.statusCode).toBe(413);
    expect(r.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    const accounts = await a().inject({ method: 'POST', url: '/v1/accounts', headers: admin, payload: { name: 'x'.repeat(200 * 1024) } });
    expect(accounts.statusCode).toBe(413);
  });
});

describe('load shedding', () => {
  it('answers 503 OVERLOADED with Retry-After when the process is over its limits, and keeps /healthz up', async () => {
    // A heap limit of one byte: overloaded from the first sample on.
    const app = await buildApp({
      db: t.db.db,
      clock: fixedClock(new Date().toISOString()),
      logger: silentLogger(),
      adminKey: ADMIN_KEY,
      loadShedding: { maxHeapUsedBytes: 1, sampleIntervalMs: 20, retryAfterS: 3 },
    });
    await app.ready();
    try {
      await new Promise((r) => setTimeout(r, 100));
      const r = await app.inject({ method: 'GET', url: '/v1/accounts', headers: admin });
      expect(r.statusCode).toBe(503);
      expect(r.headers['retry-after']).toBe('3');
      expect(r.json().error).toMatchObject({
        code: 'OVERLOADED',
        requestId: expect.any(String),
        message: expect.stringMatching(/overloaded/),
      });
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      // Readiness is shed too, in the error shape its document declares (it used to fail serializing).
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().error.code).toBe('OVERLOADED');
    } finally {
      await app.close();
    }
  });
});
