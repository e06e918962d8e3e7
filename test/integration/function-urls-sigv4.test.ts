import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { admin, bearer, newTenant, useTestApp } from '../helpers/app.js';
import { useAnsweringExecutor } from '../helpers/answering-executor.js';
import { injectDeploy } from '../helpers/functions.js';

// A URL made with AuthType AWS_IAM through the Lambda API (Tally's TALLY_KEY) took only a bearer key: a caller
// signing with SigV4, as awscurl, the AWS SigV4 proxy or an SDK signer do for Lambda function URLs, was answered
// 401 with the account's own access key. Found by review.
const t = useTestApp(new Date().toISOString());

/** The fake executor answers every invocation with the event it was handed. */
/** The fake executor answers every invocation with the event it was handed. */
useAnsweringExecutor(() => t.app);

async function accessKey(accountId: string) {
  const r = await t.app.inject({ method: 'POST', url: `/v1/accounts/${accountId}/access-keys`, headers: admin });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { accessKeyId: string; secretAccessKey: string };
}

/** A request to the URL signed as AWS signs one for a Lambda function URL (service lambda), sent through inject. */
async function signedCall(credentials: { accessKeyId: string; secretAccessKey: string }, path: string, body: string, tamper = false) {
  const signer = new SignatureV4({ credentials, region: 'eu-west-1', service: 'lambda', sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: 'localhost',
    path,
    query: { q: 'a b' },
    headers: { host: 'localhost:80', 'content-type': 'application/json' },
    body,
  });
  // Tampered: another body than the one signed.
  return t.app.inject({ method: 'POST', url: `${path}?q=a%20b`, headers: signed.headers, payload: tamper ? `${body} ` : body });
}

describe('an AWS_IAM function URL', () => {
  it("takes a SigV4 signature by an access key of the function's account, as Lambda does; another account's key or a bad signature is refused", async () => {
    const a = await newTenant(t.app);
    const b = await newTenant(t.app);
    await injectDeploy(t.app, a.accountKey, 'private');
    const r = await t.app.inject({
      method: 'PUT',
      url: '/v1/functions/private/url',
      headers: bearer(a.accountKey),
      payload: { authType: 'TALLY_KEY' },
    });
    expect(r.statusCode, r.body).toBe(200);
    const path = `/url/${r.json().urlId}/orders`;

    const ok = await signedCall(await accessKey(a.id), path, '{"n":1}');
    expect(ok.statusCode, ok.body).toBe(200);
    const e = ok.json();
    expect(e).toMatchObject({ rawPath: '/orders', rawQueryString: 'q=a%20b', body: '{"n":1}', requestContext: { accountId: a.id } });
    // The signature is the caller's credential: not handed to the function, as a bearer key is not.
    expect(e.headers.authorization).toBeUndefined();

    const other = await signedCall(await accessKey(b.id), path, '{"n":1}');
    expect(other.statusCode, other.body).toBe(403);
    expect(other.json().error.code).toBe('FORBIDDEN');
    const forged = await signedCall(await accessKey(a.id), path, '{"n":1}', true);
    expect(forged.statusCode, forged.body).toBe(401);
    expect(forged.json().error.code).toBe('UNAUTHENTICATED');
    // A bearer key of the account still works.
    const withKey = await t.app.inject({ method: 'GET', url: path, headers: bearer(a.accountKey) });
    expect(withKey.statusCode, withKey.body).toBe(200);
  });
});
