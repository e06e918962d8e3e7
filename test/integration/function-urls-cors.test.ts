import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app.js';
import { tenantWebUrl, useAnsweringExecutor } from '../helpers/answering-executor.js';

const t = useTestApp(new Date().toISOString());

/** What the fake executor answers for every invocation: the function's answer (null: the event it was handed). */
let answer: unknown = null;
useAnsweringExecutor(
  () => t.app,
  (event) => (answer === null ? event : JSON.stringify(answer)),
);

async function urlWith(cors: Record<string, unknown>) {
  return `/url/${await tenantWebUrl(t.app, { cors })}/`;
}

describe("a function URL's CORS answers", () => {
  it('vary by Origin when the origin decides them, so a cache does not hand one origin the answer made for another', async () => {
    // Found by review: the preflight said Vary: Origin, the answer itself did not; a CDN in front of Tally cached
    // the answer to https://a.example (Access-Control-Allow-Origin: https://a.example) and served it to
    // https://b.example, whose browser then refused it.
    const url = await urlWith({ allowOrigins: ['https://a.example', 'https://b.example'] });
    const a = await t.app.inject({ method: 'GET', url, headers: { origin: 'https://a.example' } });
    expect(a.statusCode, a.body).toBe(200);
    expect(a.headers['access-control-allow-origin']).toBe('https://a.example');
    expect(a.headers.vary).toBe('Origin');
    // Without an Origin (no CORS header given), the answer still depends on it.
    expect((await t.app.inject({ method: 'GET', url })).headers.vary).toBe('Origin');
    // A function's own Vary is kept beside it.
    answer = { statusCode: 200, headers: { Vary: 'Accept-Encoding' }, body: 'x' };
    expect((await t.app.inject({ method: 'GET', url, headers: { origin: 'https://b.example' } })).headers.vary).toBe(
      'Accept-Encoding, Origin',
    );
    answer = null;
    // Every origin allowed alike (*, no credentials): the answer does not depend on the origin.
    const wildcard = await urlWith({ allowOrigins: ['*'] });
    expect((await t.app.inject({ method: 'GET', url: wildcard, headers: { origin: 'https://a.example' } })).headers).toMatchObject({
      'access-control-allow-origin': '*',
    });
    expect((await t.app.inject({ method: 'GET', url: wildcard, headers: { origin: 'https://a.example' } })).headers.vary).toBeUndefined();
  });
});
