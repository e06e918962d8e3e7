import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect } from 'vitest';
import type { App } from '../../src/app.js';
import { bearer, fleetKey, newTenant } from './app.js';
import { injectDeploy } from './functions.js';

/**
 * A fake executor that answers every invocation at once with what `answer` makes of the event it was handed (by
 * default the event itself, so a test sees what the api built), registered with the api of `app()` before the tests
 * run. It speaks only `POST /invoke`: the api's attempt at the invoke stream gets a 404 and it falls back.
 */
export function useAnsweringExecutor(app: () => App, answer: (event: Buffer) => Buffer | string = (event) => event) {
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    if (req.method !== 'POST' || req.url !== '/invoke') {
      req.resume();
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const event = Buffer.concat(chunks).subarray(Number(req.headers['x-tally-spec-length']));
      res
        .writeHead(200, { 'content-type': 'application/json', 'x-tally-status': 'success', 'x-tally-billed-duration-ms': '1' })
        .end(answer(event));
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const r = await app().inject({
      method: 'POST',
      url: '/v1/executors/register',
      headers: bearer(await fleetKey(app())),
      payload: { id: randomUUID(), url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, capacity: 100, token: randomUUID() },
    });
    expect(r.statusCode, r.body).toBe(200);
  });
  afterAll(() => {
    server.close();
    server.closeAllConnections();
  });
}

/** A new tenant's function `web` with a function URL (`authType` NONE unless `settings` say otherwise): its id. */
export async function tenantWebUrl(app: App, settings: Record<string, unknown> = {}): Promise<string> {
  const a = await newTenant(app);
  await injectDeploy(app, a.accountKey, 'web');
  const r = await app.inject({
    method: 'PUT',
    url: '/v1/functions/web/url',
    headers: bearer(a.accountKey),
    payload: { authType: 'NONE', ...settings },
  });
  expect(r.statusCode, r.body).toBe(200);
  return r.json().urlId as string;
}
