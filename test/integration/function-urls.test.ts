import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { newTenant } from '../helpers/app.js';
import { call, deploy, makeZip, until, usageTotals, useFunctionsApp } from '../helpers/functions.js';

const t = useFunctionsApp();

const CODE = `
exports.echo = async (event) => event;
exports.text = async () => 'Hello, world!';
exports.object = async () => ({ message: 'Hello, world!' });
exports.structured = async () => ({
  statusCode: 201,
  headers: { 'Content-Type': 'application/json', 'My-Custom-Header': 'Custom Value' },
  body: JSON.stringify({ message: 'Hello, world!' }),
  cookies: ['Cookie_1=Value1; Expires=21 Oct 2021 07:48 GMT', 'Cookie_2=Value2; Max-Age=78000'],
  isBase64Encoded: false,
});
exports.binary = async (event) => ({
  statusCode: 200, headers: { 'content-type': 'application/octet-stream' }, body: event.body, isBase64Encoded: event.isBase64Encoded,
});
exports.fail = async () => { throw new Error('boom'); };
exports.badStatus = async () => ({ statusCode: 1000, body: 'x' });
`;
const zip = makeZip([{ name: 'index.js', data: CODE }]);

/** A raw request (repeated headers and query keys kept as sent). */
function raw(url: string, opts: { method?: string; headers?: [string, string][]; body?: Buffer } = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    for (const [k, v] of opts.headers ?? []) req.appendHeader(k, v);
    req.on('error', reject);
    req.end(opts.body);
  });
}

async function withUrl(key: string, name: string, handler: string, settings: Record<string, unknown> = { authType: 'NONE' }) {
  await deploy(t.base, key, name, zip, { handler: `index.${handler}` });
  const r = await call(t.base, key, 'PUT', `/v1/functions/${name}/url`, settings);
  if (r.status !== 200) throw new Error(`url: ${r.status} ${r.text}`);
  return r.json as { url: string; urlId: string };
}

describe('function URLs', () => {
  it('hands the function a payload 2.0 event: path relative to the URL, raw query, joined repeats, cookies, text body', async () => {
    const a = await newTenant(t.app);
    const u = await withUrl(a.accountKey, 'echo', 'echo');
    expect(u.url).toBe(`${t.base}/url/${u.urlId}/`);
    expect(u.urlId).toMatch(/^[a-z0-9]{32}$/);
    const r = await raw(`${u.url}my/path?parameter1=value1&parameter1=value2&parameter2=value`, {
      method: 'POST',
      headers: [
        ['Header2', 'value1'],
        ['Header2', 'value2'],
        ['Cookie', 'cookie1=a; cookie2=b'],
        ['Content-Type', 'text/plain'],
        ['User-Agent', 'agent'],
      ],
      body: Buffer.from('Hello from client!'),
    });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    const e = JSON.parse(r.body.toString('utf8'));
    expect(e).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/my/path',
      rawQueryString: 'parameter1=value1&parameter1=value2&parameter2=value',
      cookies: ['cookie1=a', 'cookie2=b'],
      queryStringParameters: { parameter1: 'value1,value2', parameter2: 'value' },
      body: 'Hello from client!',
      isBase64Encoded: false,
      requestContext: {
        accountId: 'anonymous',
        apiId: u.urlId,
        domainPrefix: u.urlId,
        http: { method: 'POST', path: '/my/path', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'agent' },
        routeKey: '$default',
        stage: '$default',
      },
    });
    expect(e.headers).toMatchObject({ header2: 'value1,value2', 'content-type': 'text/plain', 'user-agent': 'agent' });
    expect(e.headers.cookie).toBeUndefined();
    expect(e.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    // The id percent-encoded (as some clients write every character) names the same URL and the same path.
    const encodedId = [...u.urlId].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
    const encoded = JSON.parse((await raw(`${u.url.replace(u.urlId, encodedId)}my/path?a=1`)).body.toString('utf8'));
    expect(encoded).toMatchObject({ rawPath: '/my/path', rawQueryString: 'a=1' });
    // The URL root, with or without its slash: rawPath "/", no query, no body.
    const root = JSON.parse((await raw(u.url.slice(0, -1))).body.toString('utf8'));
    expect(root).toMatchObject({ rawPath: '/', rawQueryString: '', isBase64Encoded: false });
    expect(root.body).toBeUndefined();
    expect(root.queryStringParameters).toBeUndefined();
    // JSON is text too.
    const json = await raw(u.url, { method: 'PUT', headers: [['content-type', 'application/json']], body: Buffer.from('{"a":1}') });
    expect(JSON.parse(json.body.toString('utf8'))).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
  });

  it("maps the answer as Lambda's documentation shows: a string, an object, a full response with cookies", async () => {
    const a = await newTenant(t.app);
    const text = await raw((await withUrl(a.accountKey, 'text', 'text')).url);
    expect([text.status, text.headers['content-type'], text.body.toString()]).toEqual([200, 'application/json', '"Hello, world!"']);
    const object = await raw((await withUrl(a.accountKey, 'object', 'object')).url);
    expect([object.status, object.headers['content-type'], JSON.parse(object.body.toString())]).toEqual([
      200,
      'application/json',
      { message: 'Hello, world!' },
    ]);
    const structured = await withUrl(a.accountKey, 'structured', 'structured');
    const full = await raw(structured.url);
    expect(full.status).toBe(201);
    expect(full.headers['content-type']).toBe('application/json');
    expect(full.headers['my-custom-header']).toBe('Custom Value');
    // Scoped to the URL: every function URL shares the api's host (function-urls-cookies.test.ts).
    expect(full.headers['set-cookie']).toEqual([
      `Cookie_1=Value1; Expires=21 Oct 2021 07:48 GMT; Path=/url/${structured.urlId}`,
      `Cookie_2=Value2; Max-Age=78000; Path=/url/${structured.urlId}`,
    ]);
    expect(JSON.parse(full.body.toString())).toEqual({ message: 'Hello, world!' });
  });

  it('round-trips a binary body (base64 in, isBase64Encoded out); a function error or a bad status is a 502', async () => {
    const a = await newTenant(t.app);
    const u = await withUrl(a.accountKey, 'binary', 'binary');
    const bytes = Buffer.from([0, 1, 2, 250, 255, 137, 80, 78, 71]);
    const r = await raw(u.url, { method: 'POST', headers: [['content-type', 'image/png']], body: bytes });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/octet-stream');
    expect(r.body.equals(bytes)).toBe(true);
    const echo = await withUrl(a.accountKey, 'echo2', 'echo');
    const seen = JSON.parse(
      (await raw(echo.url, { method: 'POST', headers: [['content-type', 'image/png']], body: bytes })).body.toString(),
    );
    expect(seen).toMatchObject({ body: bytes.toString('base64'), isBase64Encoded: true });

    const fail = await raw((await withUrl(a.accountKey, 'fail', 'fail')).url);
    expect(fail.status).toBe(502);
    expect((await raw((await withUrl(a.accountKey, 'bad', 'badStatus')).url)).status).toBe(502);
    const big = await raw(u.url, {
      method: 'POST',
      headers: [['content-type', 'text/plain']],
      body: Buffer.alloc(6 * 1024 * 1024 + 1, 97),
    });
    expect(big.status).toBe(413);
  });

  it('a body within 6 MB whose event is not (a binary body, base64 in the event) is a 413, not a 502, and runs nothing', async () => {
    // Found by review: the event went to the executor, which refused it past 6 MiB by dropping the
    // connection; the api answered 502 EXECUTOR_FAILED, which a URL's caller reads as its function failing.
    const a = await newTenant(t.app);
    const u = await withUrl(a.accountKey, 'bigbinary', 'binary');
    const r = await raw(u.url, { method: 'POST', headers: [['content-type', 'image/png']], body: Buffer.alloc(5 * 1024 * 1024, 7) });
    expect(r.status, r.body.toString('utf8', 0, 300)).toBe(413);
    expect(JSON.parse(r.body.toString()).error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    // A text body whose characters JSON escapes grows the same way.
    const text = await raw(u.url, { method: 'POST', headers: [['content-type', 'text/plain']], body: Buffer.alloc(3 * 1024 * 1024, 1) });
    expect(text.status).toBe(413);
    // Not run, so not billed; the function still answers.
    const small = await raw(u.url, { method: 'POST', headers: [['content-type', 'image/png']], body: Buffer.alloc(1024, 7) });
    expect(small.status).toBe(200);
    // The small call's usage arrives (waited for: a loaded machine takes more than a fixed pause); the refused ones
    // never add to it.
    await until('the small call billed', async () => (await usageTotals(t.base, a.accountKey, 'bigbinary')).requests >= 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await usageTotals(t.base, a.accountKey, 'bigbinary')).requests).toBe(1);
  });

  it('TALLY_KEY takes only the account key (never passed on); CORS preflight answered from the configuration; DELETE removes', async () => {
    const a = await newTenant(t.app);
    const b = await newTenant(t.app);
    const u = await withUrl(a.accountKey, 'private', 'echo', {
      authType: 'TALLY_KEY',
      cors: { allowOrigins: ['https://app.example'], allowMethods: ['GET', 'POST'], allowHeaders: ['content-type'], maxAge: 300 },
    });
    expect((await raw(u.url)).status).toBe(401);
    expect((await raw(u.url, { headers: [['authorization', `Bearer ${b.accountKey}`]] })).status).toBe(403);
    const ok = await raw(u.url, {
      headers: [
        ['authorization', `Bearer ${a.accountKey}`],
        ['origin', 'https://app.example'],
      ],
    });
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example');
    const e = JSON.parse(ok.body.toString());
    expect(e.headers.authorization).toBeUndefined();
    expect(e.requestContext.accountId).toBe(a.id);

    const preflight = await raw(u.url, {
      method: 'OPTIONS',
      headers: [
        ['origin', 'https://app.example'],
        ['access-control-request-method', 'POST'],
      ],
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.example',
      'access-control-allow-methods': 'GET,POST',
      'access-control-allow-headers': 'content-type',
      'access-control-max-age': '300',
    });
    const stranger = await raw(u.url, {
      method: 'OPTIONS',
      headers: [
        ['origin', 'https://evil.example'],
        ['access-control-request-method', 'POST'],
      ],
    });
    expect(stranger.headers['access-control-allow-origin']).toBeUndefined();

    expect((await call(t.base, a.accountKey, 'GET', '/v1/functions/private/url')).json.url).toBe(u.url);
    expect((await call(t.base, a.accountKey, 'DELETE', '/v1/functions/private/url')).status).toBe(204);
    await new Promise((r) => setTimeout(r, 2_100)); // other replicas' caches
    expect((await raw(u.url, { headers: [['authorization', `Bearer ${a.accountKey}`]] })).status).toBe(404);
  });
});
