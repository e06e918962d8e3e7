import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { admin, newTenant } from '../helpers/app.js';
import { b64, makeZip, useFunctionsApp } from '../helpers/functions.js';

// Hostile but well-formed Lambda API requests on aliases and tags. Lambda validates these members
// (alias Name / Marker / FunctionVersion / TagKeys against their patterns and lengths) and answers a
// 4xx. Found by a review on 2026-12-07: Tally let them reach Postgres and answered 500 (NUL bytes in
// text, a version past int4), read a malformed RoutingConfig as "remove the routing", and took an ARN
// of another region for this region's function.
const t = useFunctionsApp({ executor: false });
const ZIP = makeZip([{ name: 'index.js', data: 'exports.handler = async (e) => e;\n' }]);

type Key = { accessKeyId: string; secretAccessKey: string };

/** A SigV4-signed Lambda API call, as the AWS SDK signs it (query values as given). */
async function aws(
  k: Key,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
  query: Record<string, string | string[]> = {},
) {
  const raw = Buffer.from(body === undefined ? '' : JSON.stringify(body));
  const signer = new SignatureV4({ credentials: k, region: 'us-east-1', service: 'lambda', sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({
    method,
    protocol: 'http:',
    hostname: 'tally.test',
    path,
    query,
    headers: { host: 'tally.test', 'content-type': 'application/json' },
    body: raw,
  });
  const qs = Object.entries(query)
    .flatMap(([name, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${encodeURIComponent(name)}=${encodeURIComponent(x)}`))
    .join('&');
  return t.app.inject({ method, url: path + (qs ? `?${qs}` : ''), headers: signed.headers as Record<string, string>, payload: raw });
}

/** A tenant with function f, versions 1 and 2 published, alias live -> 1 with 10% on 2, and a tag. */
async function setup() {
  const tenant = await newTenant(t.app);
  const r = await t.app.inject({ method: 'POST', url: `/v1/accounts/${tenant.id}/access-keys`, headers: admin });
  const k = r.json() as Key;
  const created = await aws(k, 'POST', '/2015-03-31/functions', {
    FunctionName: 'f',
    Runtime: 'nodejs20.x',
    Handler: 'index.handler',
    Code: { ZipFile: b64(ZIP) },
    Tags: { team: 'a' },
  });
  expect(created.statusCode, created.body).toBe(201);
  expect((await aws(k, 'POST', '/2015-03-31/functions/f/versions', {})).statusCode).toBe(201);
  expect((await aws(k, 'PUT', '/2015-03-31/functions/f/configuration', { Timeout: 5 })).statusCode).toBe(200);
  expect((await aws(k, 'POST', '/2015-03-31/functions/f/versions', {})).statusCode).toBe(201);
  const alias = await aws(k, 'POST', '/2015-03-31/functions/f/aliases', {
    Name: 'live',
    FunctionVersion: '1',
    RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } },
  });
  expect(alias.statusCode, alias.body).toBe(201);
  const arn = encodeURIComponent(`arn:aws:lambda:us-east-1:${tenant.id}:function:f`);
  return { tenant, k, arn };
}

const is4xx = (r: { statusCode: number; body: string }) => {
  expect(r.statusCode, r.body).toBeGreaterThanOrEqual(400);
  expect(r.statusCode, r.body).toBeLessThan(500);
};

describe('Lambda alias and tag input', () => {
  it('ListAliases with a FunctionVersion past a 32-bit integer is a 4xx, not a 500', async () => {
    const { k } = await setup();
    // The route's own pattern takes 10 digits; the version column is an int4.
    is4xx(await aws(k, 'GET', '/2015-03-31/functions/f/aliases', undefined, { FunctionVersion: '9999999999' }));
  });

  it('ListAliases with a NUL byte in Marker is a 4xx, not a 500', async () => {
    const { k } = await setup();
    is4xx(await aws(k, 'GET', '/2015-03-31/functions/f/aliases', undefined, { Marker: 'a\u0000' }));
  });

  it('GetAlias, UpdateAlias and DeleteAlias with a NUL byte in the alias name are 4xx (Lambda: the Name pattern), not 500', async () => {
    const { k } = await setup();
    is4xx(await aws(k, 'GET', '/2015-03-31/functions/f/aliases/a%00'));
    is4xx(await aws(k, 'PUT', '/2015-03-31/functions/f/aliases/a%00', { Description: 'x' }));
    is4xx(await aws(k, 'DELETE', '/2015-03-31/functions/f/aliases/a%00'));
  });

  it('UntagResource with a NUL byte in a tag key is a 4xx (Lambda: TagKey pattern), not a 500', async () => {
    const { k, arn } = await setup();
    is4xx(await aws(k, 'DELETE', `/2017-03-31/tags/${arn}`, undefined, { tagKeys: ['team\u0000'] }));
  });

  it('UpdateAlias with a RoutingConfig that is not an object is refused and keeps the alias routing (not silently removed)', async () => {
    const { k } = await setup();
    // Lambda's RoutingConfig is a structure: a string or an array is a serialization error (4xx), never "remove the routing".
    const bad = await aws(k, 'PUT', '/2015-03-31/functions/f/aliases/live', { RoutingConfig: 'none' });
    const after = await aws(k, 'GET', '/2015-03-31/functions/f/aliases/live');
    expect({ status: bad.statusCode, routing: after.json().RoutingConfig }).toEqual({
      status: 400,
      routing: { AdditionalVersionWeights: { '2': 0.1 } },
    });
  });

  it('a function ARN of another region names nothing in this region (ListTags)', async () => {
    const { tenant, k } = await setup();
    const other = encodeURIComponent(`arn:aws:lambda:eu-west-1:${tenant.id}:function:f`);
    const r = await aws(k, 'GET', `/2017-03-31/tags/${other}`);
    // Lambda never answers for a resource of another region: the eu-west-1 function is not this one.
    is4xx(r);
  });
});
