import { describe, expect, it } from 'vitest';
import { newTenant, postUsage, usageEvent, useTestApp } from '../helpers/app.js';

const t = useTestApp();

describe('operations', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready', sandbox: 'on' });
    // Once the process begins to stop (server.ts), not ready: a load balancer sends it nothing more while it drains.
    t.app.lifecycle.draining = true;
    try {
      const draining = await t.app.inject({ method: 'GET', url: '/readyz' });
      expect({ status: draining.statusCode, body: draining.json() }).toEqual({
        status: 503,
        body: { status: 'not ready', detail: 'shutting down' },
      });
      expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      t.app.lifecycle.draining = false;
    }
  });

  it('serves an OpenAPI document generated from the route schemas, and the docs page', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/usage', '/v1/accounts', '/v1/accounts/{id}/keys']));
    const ingest = doc.paths['/v1/usage'].post;
    expect(ingest.requestBody.content['application/json'].schema.properties.events.maxItems).toBe(10_000);
    const page = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
  });

  it('counts accepted, duplicate and conflicting events, how batches were written, and batch latency at /metrics', async () => {
    const a = await newTenant(t.app);
    const e = usageEvent(a.id);
    await postUsage(t.app, a.executorKey, [e, usageEvent(a.id)]);
    await postUsage(t.app, a.executorKey, [e, { ...e, durationMs: 1 }]);
    const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(/tally_usage_events_total\{outcome="accepted"\} 2/);
    expect(text).toMatch(/tally_usage_events_total\{outcome="duplicate"\} 1/);
    expect(text).toMatch(/tally_usage_events_total\{outcome="conflict"\} 1/);
    expect(text).toMatch(/tally_usage_batch_seconds_count 2/);
    // The first batch was new (one statement); the second held a stored invocation (written again, claiming).
    expect(text).toMatch(/tally_usage_batches_total\{write="one_statement"\} 1/);
    expect(text).toMatch(/tally_usage_batches_total\{write="claiming"\} 1/);
  });

  it("echoes a request id, taking the caller's X-Request-Id when it is sane", async () => {
    const given = await t.app.inject({ method: 'GET', url: '/nope', headers: { 'x-request-id': 'trace-123' } });
    expect(given.statusCode).toBe(404);
    expect(given.headers['x-request-id']).toBe('trace-123');
    expect(given.json().error).toMatchObject({ code: 'ROUTE_NOT_FOUND', requestId: 'trace-123' });
    const generated = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'bad id with spaces' } });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
