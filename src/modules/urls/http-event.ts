import { isUtf8 } from 'node:buffer';
import type { InvokeResult } from '../functions/invoke.service.js';

/**
 * A function URL's request as the function sees it, and its answer as the client sees it: API
 * Gateway's HTTP API payload format 2.0 in, Lambda's response mapping out (docs/events.md,
 * "Function URLs").
 */

/** Lambda's limit, both ways. */
export const MAX_URL_PAYLOAD_BYTES = 6 * 1024 * 1024;

export interface HttpRequestIn {
  method: string;
  /** The path and query after `/url/<id>`, as received (not decoded). */
  rawPathAndQuery: string;
  /** Node's rawHeaders: name, value, name, value... in the order received. */
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
  /**
   * The scheme and port the caller reached the api on (behind a trusted proxy: what the proxy says), and whether a
   * trusted proxy named the caller (its X-Forwarded-For then already ends as Lambda's would).
   */
  forwarded: { proto: string; port: string; viaProxy: boolean };
  urlId: string;
  /** `anonymous` for authType NONE, the account's id for TALLY_KEY (as Lambda names the caller's account). */
  callerAccountId: string;
  requestId: string;
  at: Date;
  /** Headers kept from the function (a Tally key it must not see). */
  dropHeaders?: string[];
}

/** Bodies of these types reach the function as text; any other is base64-encoded, as API Gateway does. */
export function isTextType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const t = contentType.split(';')[0]!.trim().toLowerCase();
  return (
    t.startsWith('text/') ||
    t === 'application/json' ||
    t.endsWith('+json') ||
    t === 'application/xml' ||
    t.endsWith('+xml') ||
    t === 'application/javascript' ||
    t === 'application/x-www-form-urlencoded'
  );
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** `12/Mar/2020:19:03:58 +0000`, API Gateway's requestContext.time. */
function clf(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** A repeated name's values, joined with commas, as Lambda joins repeated headers and query keys. */
function joinRepeat(into: Map<string, string>, name: string, value: string): void {
  const before = into.get(name);
  into.set(name, before === undefined ? value : `${before},${value}`);
}

export function toHttpEvent(r: HttpRequestIn): Buffer {
  const q = r.rawPathAndQuery.indexOf('?');
  const rawPath = (q < 0 ? r.rawPathAndQuery : r.rawPathAndQuery.slice(0, q)) || '/';
  const rawQueryString = q < 0 ? '' : r.rawPathAndQuery.slice(q + 1);
  // Repeated headers are joined with commas; cookies travel apart, as `cookies`. Gathered in Maps: in a plain
  // object, a name such as `constructor` was taken for an earlier repeat and `__proto__` was lost.
  const headerMap = new Map<string, string>();
  const cookies: string[] = [];
  const drop = new Set(r.dropHeaders ?? []);
  for (let i = 0; i + 1 < r.rawHeaders.length; i += 2) {
    const name = r.rawHeaders[i]!.toLowerCase();
    const value = r.rawHeaders[i + 1]!;
    if (drop.has(name)) continue;
    if (name === 'cookie') cookies.push(...value.split(/;\s*/).filter(Boolean));
    else joinRepeat(headerMap, name, value);
  }
  // Who called and how, as Lambda tells it: the caller's address after any X-Forwarded-For it sent (a trusted
  // proxy's header is kept: the proxy appended what it saw), and the scheme and port it called, whatever it claimed.
  const claimed = headerMap.get('x-forwarded-for');
  if (!(r.forwarded.viaProxy && claimed !== undefined))
    headerMap.set('x-forwarded-for', claimed === undefined ? r.sourceIp : `${claimed}, ${r.sourceIp}`);
  headerMap.set('x-forwarded-proto', r.forwarded.proto);
  headerMap.set('x-forwarded-port', r.forwarded.port);
  const queryMap = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(rawQueryString)) joinRepeat(queryMap, k, v);
  // Object.fromEntries defines each key as the object's own, `__proto__` included.
  const headers: Record<string, string> = Object.fromEntries(headerMap);
  const query: Record<string, string> = Object.fromEntries(queryMap);
  // A text type's body is handed on as text only when it is: a compressed body, or one in another charset than
  // UTF-8, would lose its bytes to the decoding; base64 keeps them.
  const encoding = headerMap.get('content-encoding')?.trim().toLowerCase();
  const text = isTextType(headerMap.get('content-type')) && (encoding === undefined || encoding === 'identity') && isUtf8(r.body);
  return Buffer.from(
    JSON.stringify({
      version: '2.0',
      routeKey: '$default',
      rawPath,
      rawQueryString,
      ...(cookies.length ? { cookies } : {}),
      headers,
      ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
      requestContext: {
        accountId: r.callerAccountId,
        apiId: r.urlId,
        domainName: headerMap.get('host') ?? '',
        domainPrefix: r.urlId,
        http: { method: r.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: r.sourceIp, userAgent: headerMap.get('user-agent') ?? '' },
        requestId: r.requestId,
        routeKey: '$default',
        stage: '$default',
        time: clf(r.at),
        timeEpoch: r.at.getTime(),
      },
      ...(r.body.length ? { body: text ? r.body.toString('utf8') : r.body.toString('base64') } : {}),
      pathParameters: null,
      isBase64Encoded: r.body.length > 0 && !text,
      stageVariables: null,
    }),
  );
}

export interface HttpResponseOut {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

/**
 * Headers of the connection, not of the answer: the api's own HTTP server frames and keeps the
 * connection, so a function may not set them (Fastify would send a function's transfer-encoding
 * beside its own content-length).
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
]);
/**
 * Headers a function may not set either, since they reach past its URL to the whole host every URL and the
 * console share: `service-worker-allowed` would let a script it serves control the whole origin, the console's
 * included (urls.routes.ts sandboxes its pages as well); `clear-site-data` would clear the whole origin's
 * storage and its site's cookies (the console's key, other tenants' sessions); `nel` with `report-to` would
 * have browsers report every request they make to the host (the console's, other tenants' URLs) to the
 * function's collector; `strict-transport-security` would set (or, max-age=0, lift) the operator's HSTS;
 * `alt-svc` would point the whole host's traffic at another endpoint.
 */
const ORIGIN_WIDE = new Set(['service-worker-allowed', 'clear-site-data', 'nel', 'report-to', 'strict-transport-security', 'alt-svc']);

/**
 * A function's Set-Cookie, scoped to its URL. Every function URL is on the api's one host (Lambda gives each
 * its own), so a cookie with `Path=/`, or none (the default path of `/url/<id>` is `/url`), went with every
 * request to every other tenant's URL, whose function reads it in `event.cookies`; `Domain=` reached the
 * operator's other hosts (found by review). The path is put under `urlRoot` (`/url/<id>`, then the function's
 * own path), the domain dropped; the rest is kept as the function wrote it. A `__Host-` cookie (which must have
 * `Path=/`) is then refused by browsers: on a shared host it could not be the URL's own.
 */
export function scopeCookie(setCookie: string, urlRoot: string): string {
  const [pair, ...attributes] = setCookie.split(';');
  let path = '';
  const kept: string[] = [];
  for (const attribute of attributes.map((a) => a.trim()).filter(Boolean)) {
    const name = attribute.split('=', 1)[0]!.trim().toLowerCase();
    if (name === 'domain') continue;
    // The last Path counts, as browsers read it; one that is not absolute is the default.
    if (name === 'path') path = attribute.slice(attribute.indexOf('=') + 1).trim();
    else kept.push(attribute);
  }
  const under = path.startsWith('/') && path !== '/' ? path : '';
  return [pair!.trim(), ...kept, `Path=${urlRoot}${under}`].join('; ');
}
/** What HTTP allows in a header's name, and in its value (Node refuses anything else by throwing). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

const badGateway = (): HttpResponseOut => ({
  statusCode: 502,
  headers: { 'content-type': 'application/json' },
  cookies: [],
  body: Buffer.from('{"message":"Internal Server Error"}'),
});

/**
 * Lambda's mapping of a function's answer: a JSON object with `statusCode` sets the status, the
 * headers, `cookies` (each a Set-Cookie) and the body (base64-decoded when `isBase64Encoded`); any
 * other JSON value is a 200 `application/json` whose body is the answer itself. A function error, or
 * an answer that does not fit, is a 502.
 */
export function fromFunctionResult(r: Pick<InvokeResult, 'status' | 'payload'>, urlRoot: string): HttpResponseOut {
  if (r.status !== 'success' || r.payload.length > MAX_URL_PAYLOAD_BYTES) return badGateway();
  let parsed: unknown;
  try {
    parsed = JSON.parse(r.payload.toString('utf8'));
  } catch {
    return badGateway();
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || !('statusCode' in parsed)) {
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, cookies: [], body: r.payload };
  }
  const o = parsed as { statusCode: unknown; headers?: unknown; cookies?: unknown; body?: unknown; isBase64Encoded?: unknown };
  const status = Number(o.statusCode);
  // A final answer is 200-599: an informational status (1xx) is not one.
  if (!Number.isInteger(status) || status < 200 || status > 599) return badGateway();
  const headers: Record<string, string> = {};
  let headerCookie: string | null = null;
  if (o.headers && typeof o.headers === 'object') {
    for (const [k, v] of Object.entries(o.headers)) {
      if (v === null || v === undefined) continue;
      const name = k.toLowerCase();
      const value = String(v);
      // A name or value HTTP cannot carry (a line break would split the answer) is the function's error.
      if (!TOKEN.test(name) || !FIELD_VALUE.test(value)) return badGateway();
      if (name === 'set-cookie') headerCookie = value;
      else if (!HOP_BY_HOP.has(name) && !ORIGIN_WIDE.has(name)) headers[name] = value;
    }
  }
  // Lambda's default when the function names none; without it the api would answer application/octet-stream.
  headers['content-type'] ??= 'application/json';
  const cookies = Array.isArray(o.cookies) ? o.cookies.map(String) : [];
  if (headerCookie !== null) cookies.push(headerCookie);
  if (!cookies.every((c) => FIELD_VALUE.test(c))) return badGateway();
  const scoped = cookies.map((c) => scopeCookie(c, urlRoot));
  const text = o.body === undefined || o.body === null ? '' : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  const body = o.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text);
  return { statusCode: status, headers, cookies: scoped, body };
}
