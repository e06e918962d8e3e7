import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { silentLogger } from '../../src/lib/logger.js';
import { ADMIN_KEY, admin, bearer, newTenant, useTestApp, usageEvent } from '../helpers/app.js';
import { injectDeploy } from '../helpers/functions.js';

// An executor's key revoked with DELETE /v1/keys/:id (rather than DELETE /v1/executors/:id, which also removes
// the executor): the api went on sending it invocations until it went stale (10 s without a heartbeat), and
// each ran while the executor could never report its usage (its key refused: unbilled, stuck in its spool
// until an operator steps in). Found by review.
const t = useTestApp(new Date().toISOString(), { functions: { executors: { refreshMs: 100 } } });
/** Another api replica on the database: the key is revoked on the first, the invocations go through this one. */
let replica: App;

/** A fake executor answering every invocation at once; it speaks only POST /invoke (no invoke stream). */
let invoked = 0;
const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  req.resume();
  if (req.method !== 'POST' || req.url !== '/invoke') {
    res.writeHead(404).end();
    return;
  }
  invoked += 1;
  req.on('end', () =>
    res
      .writeHead(200, { 'content-type': 'application/json', 'x-tally-status': 'success', 'x-tally-billed-duration-ms': '1' })
      .end('"done"'),
  );
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  replica = await buildApp({
    db: t.db.db,
    clock: t.clock,
    logger: silentLogger(),
    adminKey: ADMIN_KEY,
    functions: { executors: { refreshMs: 100 } },
  });
  await replica.ready();
});
afterAll(async () => {
  await replica?.close();
  server.close();
  server.closeAllConnections();
});

describe('an executor whose key is revoked with DELETE /v1/keys/:id', () => {
  it('gets no more invocations once every replica refuses its key', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/v1/keys', headers: admin, payload: { role: 'executor' } });
    const fleet = created.json() as { id: string; key: string };
    const executorId = randomUUID();
    const registered = await t.app.inject({
      method: 'POST',
      url: '/v1/executors/register',
      headers: bearer(fleet.key),
      payload: { id: executorId, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, capacity: 100, token: randomUUID() },
    });
    expect(registered.statusCode, registered.body).toBe(200);

    const a = await newTenant(t.app);
    await injectDeploy(t.app, a.accountKey, 'f');
    const invoke = (app = replica) =>
      app.inject({ method: 'POST', url: '/v1/functions/f/invoke', headers: bearer(a.accountKey), payload: {} });
    expect((await invoke()).statusCode).toBe(200);
    expect(invoked).toBe(1);

    const revoked = await t.app.inject({ method: 'DELETE', url: `/v1/keys/${fleet.id}`, headers: admin });
    expect(revoked.statusCode, revoked.body).toBe(200);
    // What it would report for any invocation from now on is refused: its key no longer works.
    const report = await t.app.inject({
      method: 'POST',
      url: '/v1/usage',
      headers: bearer(fleet.key),
      payload: { events: [usageEvent(a.id, { functionId: 'f' })] },
    });
    expect(report.statusCode).toBe(401);
    // The other replica learns of the revocation within about a second (the key revision it polls), and its
    // next invocation, after a quiet spell, goes nowhere rather than to the executor whose key is revoked.
    await new Promise((r) => setTimeout(r, 1_500));
    for (const app of [replica, t.app]) {
      const after = await invoke(app);
      expect(after.statusCode, after.body).toBe(503);
      expect(after.json().error.code).toBe('SERVICE_UNAVAILABLE');
    }
    expect(invoked).toBe(1);
  });
});
