import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fromFunctionResult, toHttpEvent } from '../../src/modules/urls/http-event.js';
import { cookieRoot } from '../../src/modules/urls/urls.service.js';

const answer = (o: unknown) => fromFunctionResult({ status: 'success', payload: Buffer.from(JSON.stringify(o)) }, '/url/u1');

describe("a function URL's answer from what the function returned", () => {
  it('keeps the answer headers and drops those of the connection, which the api frames itself, and any reaching past the URL', () => {
    const r = answer({
      statusCode: 201,
      headers: {
        'X-Thing': 'a',
        'Transfer-Encoding': 'chunked',
        Connection: 'close',
        'Content-Length': '999',
        Upgrade: 'h2c',
        'Service-Worker-Allowed': '/',
        // Host-wide policies: the host is every URL's and the console's.
        'Clear-Site-Data': '"*"',
        NEL: '{"report_to":"g","max_age":31536000,"success_fraction":1.0}',
        'Report-To': '{"group":"g","max_age":31536000,"endpoints":[{"url":"https://collector.example/r"}]}',
        'Strict-Transport-Security': 'max-age=0',
        'Alt-Svc': 'h2="other.example:443"',
      },
      body: 'made',
    });
    expect(r).toMatchObject({ statusCode: 201, headers: { 'x-thing': 'a' } });
    expect(Object.keys(r.headers)).toEqual(['x-thing', 'content-type']);
    expect(r.body.toString()).toBe('made');
  });

  it('answers 502 for a header or cookie HTTP cannot carry, and for a status that is not a final one', () => {
    for (const bad of [
      { statusCode: 200, headers: { 'x-split': 'a\r\nset-cookie: stolen=1' } },
      { statusCode: 200, headers: { 'bad name': 'a' } },
      { statusCode: 200, headers: { 'x-nul': 'a\u0000b' } },
      { statusCode: 200, cookies: ['a=1\r\nx-injected: 1'] },
      { statusCode: 101, headers: { upgrade: 'websocket' } },
      { statusCode: 199 },
    ]) {
      expect(answer(bad).statusCode, JSON.stringify(bad)).toBe(502);
    }
    // Latin-1 text and tabs are fine in a value.
    expect(answer({ statusCode: 200, headers: { 'x-text': 'caf\u00e9\tbar' } }).headers).toMatchObject({ 'x-text': 'caf\u00e9\tbar' });
  });
  it('answers application/json when the function names no content type, as Lambda does; a type it names is kept', () => {
    // Found by review: `{ statusCode: 200, body: JSON.stringify(x) }`, the usual Lambda answer, went out as
    // application/octet-stream (the api's default for bytes), so browsers downloaded it as a file.
    expect(answer({ statusCode: 200, body: '{"a":1}' }).headers).toEqual({ 'content-type': 'application/json' });
    expect(answer({ statusCode: 404 }).headers).toEqual({ 'content-type': 'application/json' });
    expect(answer({ statusCode: 200, headers: { 'Content-Type': 'text/html' }, body: '<p>' }).headers).toEqual({
      'content-type': 'text/html',
    });
    expect(answer({ statusCode: 200, headers: { 'content-type': 'image/png' }, body: 'iVBORw0K', isBase64Encoded: true }).headers).toEqual({
      'content-type': 'image/png',
    });
  });
});

describe("the path a URL's cookies are scoped to", () => {
  it('is /url/<id>, after the path TALLY_PUBLIC_URL puts Tally under', () => {
    expect(cookieRoot(null, 'u1')).toBe('/url/u1');
    expect(cookieRoot('https://tally.example.com', 'u1')).toBe('/url/u1');
    expect(cookieRoot('https://example.com/tally', 'u1')).toBe('/tally/url/u1');
    expect(cookieRoot('https://example.com/a/b/', 'u1')).toBe('/a/b/url/u1');
  });
});

describe("a function URL's request as the event the function gets", () => {
  const event = (
    rawPathAndQuery: string,
    rawHeaders: string[],
    body = Buffer.alloc(0),
    forwarded = { proto: 'https', port: '443', viaProxy: false },
  ) =>
    JSON.parse(
      toHttpEvent({
        forwarded,
        method: body.length ? 'POST' : 'GET',
        rawPathAndQuery,
        rawHeaders,
        body,
        sourceIp: '203.0.113.9',
        urlId: 'u1',
        callerAccountId: 'anonymous',
        requestId: 'r1',
        at: new Date('2026-12-08T00:00:00Z'),
      }).toString('utf8'),
    );

  it("keeps query keys and header names that are also names of an object's own properties, as sent", () => {
    // Found by review: `?constructor=x` reached the function as "function Object() { [native code] },x" (the
    // value was joined to Object.prototype's member as to an earlier repeat), and `__proto__` was lost.
    const e = event('/p?constructor=x&toString=y&__proto__=z&hasOwnProperty=1&hasOwnProperty=2', [
      'Constructor',
      'v',
      '__proto__',
      'w',
      'valueOf',
      'a',
      'valueOf',
      'b',
    ]);
    expect(Object.entries(e.queryStringParameters)).toEqual([
      ['constructor', 'x'],
      ['toString', 'y'],
      ['__proto__', 'z'],
      ['hasOwnProperty', '1,2'],
    ]);
    expect(Object.entries(e.headers).filter(([name]) => !name.startsWith('x-forwarded-'))).toEqual([
      ['constructor', 'v'],
      ['__proto__', 'w'],
      ['valueof', 'a,b'],
    ]);
  });

  it('hands on a text-typed body that is not UTF-8 text (compressed, another charset) base64-encoded, byte for byte', () => {
    // Found by review: the body was decoded as UTF-8 whatever its bytes, so a gzip-compressed JSON body (OTLP and
    // other exporters send them) or a Latin-1 form reached the function with U+FFFD in place of its bytes, lost.
    const json = Buffer.from('{"name":"caf\u00e9"}');
    const gzipped = gzipSync(json);
    const compressed = event('/', ['Content-Type', 'application/json', 'Content-Encoding', 'gzip'], gzipped);
    expect(compressed.isBase64Encoded).toBe(true);
    expect(Buffer.from(compressed.body, 'base64').equals(gzipped)).toBe(true);
    const latin1 = Buffer.from('name=caf\u00e9', 'latin1');
    const form = event('/', ['Content-Type', 'application/x-www-form-urlencoded; charset=iso-8859-1'], latin1);
    expect(form.isBase64Encoded).toBe(true);
    expect(Buffer.from(form.body, 'base64').equals(latin1)).toBe(true);
    // UTF-8 text, as before: the text itself.
    expect(event('/', ['Content-Type', 'application/json'], json)).toMatchObject({ body: '{"name":"caf\u00e9"}', isBase64Encoded: false });
  });

  it('says who called and how in x-forwarded-for, -proto and -port, as Lambda does, whatever the caller claimed', () => {
    // Found by review: a caller's own X-Forwarded-For reached the function as the whole header, so a function
    // trusting its last hop (as it may behind Lambda, which appends the caller's address) took a forged address;
    // and no X-Forwarded-Proto or -Port was given, so frameworks built http:// links and refused secure cookies.
    const forged = event('/', ['X-Forwarded-For', '6.6.6.6', 'X-Forwarded-Proto', 'gopher', 'X-Forwarded-Port', '1'], undefined, {
      proto: 'https',
      port: '8443',
      viaProxy: false,
    });
    expect(forged.headers).toMatchObject({
      'x-forwarded-for': '6.6.6.6, 203.0.113.9',
      'x-forwarded-proto': 'https',
      'x-forwarded-port': '8443',
    });
    expect(event('/', []).headers).toMatchObject({
      'x-forwarded-for': '203.0.113.9',
      'x-forwarded-proto': 'https',
      'x-forwarded-port': '443',
    });
    // A proxy the api trusts (TALLY_TRUST_PROXY) has already appended the caller it saw: its header is kept.
    const proxied = event('/', ['X-Forwarded-For', '198.51.100.1, 203.0.113.9'], undefined, {
      proto: 'https',
      port: '443',
      viaProxy: true,
    });
    expect(proxied.headers['x-forwarded-for']).toBe('198.51.100.1, 203.0.113.9');
  });
});
