import { describe, expect, it } from 'vitest';
import { bearer, newTenant, useTestApp } from '../helpers/app.js';
import { b64, makeZip, NODE_ECHO } from '../helpers/functions.js';

const t = useTestApp(new Date().toISOString());

// PUT /v1/functions/:name/aliases/:alias creates or moves the alias: a request a client may repeat, and
// a deployment tool may send from several workers at once.
describe('PUT of an alias is idempotent under concurrency', () => {
  it('five PUTs of a new alias at once all answer 200, and one alias is left', async () => {
    const a = await newTenant(t.app);
    const headers = bearer(a.accountKey);
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/functions',
      headers,
      payload: { name: 'f', runtime: 'nodejs', zipFile: b64(makeZip([{ name: 'index.js', data: NODE_ECHO }])) },
    });
    expect(created.statusCode, created.body).toBe(201);
    const published = await t.app.inject({ method: 'POST', url: '/v1/functions/f/published-versions', headers, payload: {} });
    expect(published.statusCode, published.body).toBe(201);
    const answers = await Promise.all(
      [1, 2, 3, 4, 5].map(() =>
        t.app.inject({ method: 'PUT', url: '/v1/functions/f/aliases/live', headers, payload: { version: 1, description: 'prod' } }),
      ),
    );
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    const list = await t.app.inject({ method: 'GET', url: '/v1/functions/f/aliases', headers });
    expect(list.json().aliases.map((x: { name: string; version: number }) => [x.name, x.version])).toEqual([['live', 1]]);
  });
});
