import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { admin, bearer, newTenant } from '../helpers/app.js';
import { makeZip } from '../helpers/functions.js';
import { useReplicas } from '../helpers/replicas.js';

// The abuse limits on the Lambda API and on function URLs, as on /v1 (found by a review on 2026-12-07).
const t = useReplicas(1, { rateLimits: { authFailures: 3, expensive: 2, windowMs: 60_000 } });
const app = () => t.replicas[0]!.app;

const ZIP = makeZip([{ name: 'index.js', data: 'exports.handler = async (e) => e;\n' }]);

async function accessKey(accountId: string) {
  const r = await app().inject({ method: 'POST', url: `/v1/accounts/${accountId}/access-keys`, headers: admin });
  expect(r.statusCode).toBe(201);
  return r.json() as { accessKeyId: string; secretAccessKey: string };
}

/** A SigV4-signed Lambda API call, signed as the AWS SDK signs it, sent from `remoteAddress`. */
async function lambda(
  k: { accessKeyId: string; secretAccessKey: string },
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body: unknown,
  remoteAddress: string,
) {
  const raw = Buffer.from(body === undefined ? '' : JSON.stringify(body));
  const signer = new SignatureV4({ credentials: k, region: 'us-east-1', service: 'lambda', sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({
    method,
    protocol: 'http:',
    hostname: 'tally.test',
    path,
    query: {},
    headers: { host: 'tally.test', 'content-type': 'application/json' },
    body: raw,
  });
  return app().inject({ method, url: path, headers: signed.headers as Record<string, string>, payload: raw, remoteAddress });
}

describe('the Lambda API and the expensive-route limits', () => {
  it('counts CreateFunction through the Lambda API against the expensive-route limit, as POST /v1/functions is', async () => {
    const tenant = await newTenant(app());
    // Sanity: through /v1 the third function create within the window is refused (per key and per address).
    const v1 = (name: string) =>
      app().inject({
        method: 'POST',
        url: '/v1/functions',
        headers: bearer(tenant.accountKey),
        payload: { name, runtime: 'nodejs', handler: 'index.handler', zipFile: ZIP.toString('base64') },
        remoteAddress: '203.0.113.10',
      });
    expect((await v1('v1-a')).statusCode).toBe(201);
    expect((await v1('v1-b')).statusCode).toBe(201);
    expect((await v1('v1-c')).statusCode).toBe(429);

    // The same operation, same account, through the Lambda API (README: "function create, code and
    // configuration updates" are limited per key and per address): never counted.
    const k = await accessKey(tenant.id);
    const statuses: number[] = [];
    for (const name of ['aws-a', 'aws-b', 'aws-c', 'aws-d']) {
      const r = await lambda(
        k,
        'POST',
        '/2015-03-31/functions',
        {
          FunctionName: name,
          Runtime: 'nodejs20.x',
          Role: 'arn:aws:iam::1:role/x',
          Handler: 'index.handler',
          Code: { ZipFile: ZIP.toString('base64') },
        },
        '203.0.113.11',
      );
      statuses.push(r.statusCode);
    }
    expect(statuses.slice(0, 2)).toEqual([201, 201]);
    expect(statuses.slice(2)).toEqual([429, 429]);
  });

  it('counts the Lambda API against the per-address limit that /v1 calls from the same address exhausted', async () => {
    const tenant = await newTenant(app());
    const from = '203.0.113.20';
    const zipBody = { zipFile: ZIP.toString('base64') };
    const create = await app().inject({
      method: 'POST',
      url: '/v1/functions',
      headers: bearer(tenant.accountKey),
      payload: { name: 'fn', runtime: 'nodejs', handler: 'index.handler', ...zipBody },
      remoteAddress: from,
    });
    expect(create.statusCode).toBe(201);
    const update = () =>
      app().inject({
        method: 'PUT',
        url: '/v1/functions/fn/code',
        headers: bearer(tenant.accountKey),
        payload: zipBody,
        remoteAddress: from,
      });
    expect((await update()).statusCode).toBe(200);

    // The address has made its two expensive calls (with a bearer key); an UpdateFunctionCode from it, signed
    // with an access key of its own count, is a third.
    const k = await accessKey(tenant.id);
    const r = await lambda(k, 'PUT', '/2015-03-31/functions/fn/code', { ZipFile: ZIP.toString('base64') }, from);
    expect(r.statusCode).toBe(429);
  });
});

describe('function URLs and the failed-authentication limit', () => {
  it('counts wrong keys on a TALLY_KEY function URL as failed authentications of the address', async () => {
    const tenant = await newTenant(app());
    const fn = await app().inject({
      method: 'POST',
      url: '/v1/functions',
      headers: bearer(tenant.accountKey),
      payload: { name: 'guarded', runtime: 'nodejs', handler: 'index.handler', zipFile: ZIP.toString('base64') },
      remoteAddress: '203.0.113.30',
    });
    expect(fn.statusCode).toBe(201);
    const url = await app().inject({
      method: 'PUT',
      url: '/v1/functions/guarded/url',
      headers: bearer(tenant.accountKey),
      payload: { authType: 'TALLY_KEY' },
    });
    expect(url.statusCode).toBe(200);
    const urlId = url.json().urlId as string;

    const remoteAddress = '198.51.100.77';
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await app().inject({ method: 'GET', url: `/url/${urlId}/`, headers: bearer(`tly_acc_guess_${i}`), remoteAddress });
      statuses.push(r.statusCode);
    }
    // README, TALLY_RATE_LIMIT_AUTH_FAILURES (here 3): past the limit the address gets 429 without a database lookup.
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // And those failures count for the address elsewhere too.
    const other = await app().inject({ method: 'GET', url: '/v1/budgets', headers: bearer('tly_acc_guess_x'), remoteAddress });
    expect(other.statusCode).toBe(429);
  });
});
