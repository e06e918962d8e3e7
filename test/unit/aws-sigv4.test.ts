import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { AwsError } from '../../src/modules/aws/errors.js';
import { functionArn, parseFunctionName, revisionId } from '../../src/modules/aws/shapes.js';
import { type Credential, signerFor, verifySigV4 } from '../../src/modules/aws/sigv4.js';

const ACCOUNT = '0194f7c2-0000-7000-8000-000000000001';
const KEY = { accessKeyId: 'AKIAABCDEFGHIJKLMNOP', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const credential: Credential = {
  accountId: ACCOUNT,
  accessKeyId: KEY.accessKeyId,
  signer: signerFor(KEY.accessKeyId, KEY.secretAccessKey),
};
const lookup = async (id: string) => (id === KEY.accessKeyId ? credential : null);
const NOW = new Date('2026-12-03T12:00:00Z');

/** Signs as a client would (its own signer), and answers the request as the server receives it. */
async function signed(
  opts: {
    path?: string;
    query?: Record<string, string>;
    body?: string;
    at?: Date;
    secret?: string;
    region?: string;
    service?: string;
  } = {},
) {
  const path = opts.path ?? '/2015-03-31/functions/my-fn/invocations';
  const body = Buffer.from(opts.body ?? '{"a":1}');
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const { Hash } = await import('@smithy/hash-node');
  const signer = new SignatureV4({
    credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: opts.secret ?? KEY.secretAccessKey },
    region: opts.region ?? 'eu-west-3',
    service: opts.service ?? 'lambda',
    sha256: Hash.bind(null, 'sha256'),
  });
  const r = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 3000,
      path,
      query: opts.query ?? {},
      headers: { host: '127.0.0.1:3000', 'content-type': 'application/json', 'x-amz-user-agent': 'test' },
      body,
    },
    { signingDate: opts.at ?? NOW },
  );
  const qs = new URLSearchParams(opts.query ?? {}).toString();
  return { method: 'POST', url: qs ? `${path}?${qs}` : path, headers: r.headers as Record<string, string>, body };
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => (e instanceof AwsError ? e.type : String(e)),
  );

describe('verifySigV4', () => {
  it("accepts the SDK signer's request in any region, with an encoded path and a query", async () => {
    expect((await verifySigV4(await signed(), NOW, lookup)).accountId).toBe(ACCOUNT);
    const arnPath = `/2015-03-31/functions/${encodeURIComponent(functionArn({ region: 'us-east-1', accountId: ACCOUNT }, 'fn'))}/invocations`;
    const r = await signed({ path: arnPath, query: { Qualifier: 'live', MaxItems: '5' } });
    expect((await verifySigV4(r, NOW, lookup)).accessKeyId).toBe(KEY.accessKeyId);
  });

  it('refuses a wrong secret, a changed body, path or query, and another service', async () => {
    expect(await refusal(verifySigV4(await signed({ secret: 'x'.repeat(40) }), NOW, lookup))).toBe('InvalidSignatureException');
    const body = await signed();
    expect(await refusal(verifySigV4({ ...body, body: Buffer.from('{"a":2}') }, NOW, lookup))).toBe('InvalidSignatureException');
    const path = await signed();
    expect(await refusal(verifySigV4({ ...path, url: '/2015-03-31/functions/other/invocations' }, NOW, lookup))).toBe(
      'InvalidSignatureException',
    );
    const query = await signed({ query: { Qualifier: '1' } });
    expect(await refusal(verifySigV4({ ...query, url: query.url.replace('=1', '=2') }, NOW, lookup))).toBe('InvalidSignatureException');
    expect(await refusal(verifySigV4(await signed({ service: 's3' }), NOW, lookup))).toBe('InvalidSignatureException');
  });

  it('allows 15 minutes of clock skew either way, not more', async () => {
    const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
    expect(await refusal(verifySigV4(await signed({ at: at(-14) }), NOW, lookup))).toBeNull();
    expect(await refusal(verifySigV4(await signed({ at: at(14) }), NOW, lookup))).toBeNull();
    expect(await refusal(verifySigV4(await signed({ at: at(-16) }), NOW, lookup))).toBe('InvalidSignatureException');
    expect(await refusal(verifySigV4(await signed({ at: at(16) }), NOW, lookup))).toBe('InvalidSignatureException');
  });

  it('names an unknown key, and a missing or malformed header', async () => {
    const r = await signed();
    const unknown = {
      ...r,
      headers: { ...r.headers, authorization: r.headers.authorization!.replace(KEY.accessKeyId, 'AKIAZZZZZZZZZZZZZZZZ') },
    };
    expect(await refusal(verifySigV4(unknown, NOW, lookup))).toBe('UnrecognizedClientException');
    const { authorization: _, ...bare } = r.headers;
    expect(await refusal(verifySigV4({ ...r, headers: bare }, NOW, lookup))).toBe('MissingAuthenticationTokenException');
    expect(await refusal(verifySigV4({ ...r, headers: { ...r.headers, authorization: 'Bearer abc' } }, NOW, lookup))).toBe(
      'InvalidSignatureException',
    );
  });
});

describe('parseFunctionName', () => {
  const CALLER = { accountId: ACCOUNT, region: 'us-east-1' };
  it("takes Lambda's forms of a function name", () => {
    expect(parseFunctionName('fn', CALLER)).toEqual({ name: 'fn' });
    expect(parseFunctionName('fn:live', CALLER)).toEqual({ name: 'fn', qualifier: 'live' });
    expect(parseFunctionName('fn', CALLER, '3')).toEqual({ name: 'fn', qualifier: '3' });
    expect(parseFunctionName(`${ACCOUNT}:function:fn`, CALLER)).toEqual({ name: 'fn' });
    expect(parseFunctionName(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:fn:$LATEST`, CALLER)).toEqual({
      name: 'fn',
      qualifier: '$LATEST',
    });
  });

  it("treats another account's ARN as not found, and refuses bad names and clashing qualifiers", () => {
    expect(() => parseFunctionName('arn:aws:lambda:us-east-1:123456789012:function:fn', CALLER)).toThrow(/not found/);
    expect(() => parseFunctionName('bad name', CALLER)).toThrow(AwsError);
    expect(() => parseFunctionName('fn:1', CALLER, '2')).toThrow(/does not match/);
    expect(() => parseFunctionName('a:b:c:d', CALLER)).toThrow(AwsError);
    // Another region's ARN names nothing here (found by a review on 2026-12-07: the region was not read).
    expect(() => parseFunctionName(`arn:aws:lambda:eu-west-1:${ACCOUNT}:function:fn`, CALLER)).toThrow(/not found/);
  });

  it('derives a revision id that changes with the version only', () => {
    expect(revisionId('f', 1)).toBe(revisionId('f', 1));
    expect(revisionId('f', 1)).not.toBe(revisionId('f', 2));
    expect(revisionId('f', 1)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});

describe('TALLY_REGION', () => {
  it('defaults to us-east-1 and takes a region name, nothing else', () => {
    expect(parseConfig({}).region).toBe('us-east-1');
    expect(parseConfig({ TALLY_REGION: 'eu-west-3' }).region).toBe('eu-west-3');
    expect(parseConfig({ TALLY_REGION: 'us-gov-west-1' }).region).toBe('us-gov-west-1');
    expect(() => parseConfig({ TALLY_REGION: 'mars' })).toThrow(/TALLY_REGION/);
    expect(() => parseConfig({ TALLY_REGION: 'eu-west-3:x' })).toThrow(/TALLY_REGION/);
  });
});
