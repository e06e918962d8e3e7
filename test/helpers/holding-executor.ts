import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, expect } from 'vitest';
import type { App } from '../../src/app.js';
import { bearer, fleetKey } from './app.js';

/**
 * A fake executor that holds every invocation until the test lets it answer, registered with the api
 * of `app()` before the tests run, so that "admitted" and "refused" are both observable. It speaks only
 * `POST /invoke`, as executors did before the invoke stream: the replicas' upgrade gets a 404.
 */
export function useHoldingExecutor(app: () => App) {
  const held: (() => void)[] = [];
  // Idle connections kept as long as the real executor keeps them (60 s): with node's default 5 s, a
  // replica could reuse a connection the server was closing, and the invocation would fail (502).
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    req.resume();
    if (req.method !== 'POST' || req.url !== '/invoke') {
      res.writeHead(404).end();
      return;
    }
    req.on('end', () =>
      held.push(() =>
        res
          .writeHead(200, { 'content-type': 'application/json', 'x-tally-status': 'success', 'x-tally-billed-duration-ms': '1' })
          .end('"done"'),
      ),
    );
  });
  const releaseAll = () => {
    for (const answer of held.splice(0)) answer();
  };
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const r = await app().inject({
      method: 'POST',
      url: '/v1/executors/register',
      headers: bearer(await fleetKey(app())),
      payload: { id: randomUUID(), url: `http://127.0.0.1:${port}`, capacity: 1_000, token: randomUUID() + randomUUID() },
    });
    expect(r.statusCode, r.body).toBe(200);
  });
  afterAll(() => {
    releaseAll();
    server.close();
  });
  return {
    held,
    releaseAll,
    waitHeld: (n: number) => expect.poll(() => held.length, { timeout: 3_000, interval: 20 }).toBe(n),
  };
}
