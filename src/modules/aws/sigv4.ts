import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { awsErrors } from './errors.js';

/** How far a request's X-Amz-Date may be from the server's clock, as AWS allows. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
export const SIGNING_SERVICE = 'lambda';

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** The request as it arrived: the raw path and query as sent, and the body's exact bytes. */
export interface SignedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Credential {
  accountId: string;
  accessKeyId: string;
  /** One signer per key: it caches the derived signing key per day and region. */
  signer: SignatureV4;
}

export const signerFor = (accessKeyId: string, secretAccessKey: string) =>
  new SignatureV4({
    credentials: { accessKeyId, secretAccessKey },
    region: 'us-east-1',
    service: SIGNING_SERVICE,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: true,
    // The client's own x-amz-content-sha256 (when it sent one) is what it signed; never add one.
    applyChecksum: false,
  });

function parseAmzDate(text: string): Date | null {
  const m = AMZ_DATE.exec(text);
  if (!m) return null;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return Number.isNaN(d.getTime()) ? null : d;
}

const headerValue = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(',') : v);

/**
 * Checks a SigV4-signed request (header form, service `lambda`, any region): the credential scope,
 * the clock skew, the body against its hash, then the signature, recomputed by @smithy/signature-v4
 * over exactly the headers the client signed. Throws Lambda's errors; answers the key's account.
 */
export async function verifySigV4(
  req: SignedRequest,
  now: Date,
  lookup: (accessKeyId: string) => Promise<Credential | null>,
): Promise<Credential> {
  const header = headerValue(req.headers.authorization);
  if (!header) throw awsErrors.missingToken();
  const m = AUTHORIZATION.exec(header.trim());
  if (!m) throw awsErrors.invalidSignature('Authorization header is not a well-formed AWS4-HMAC-SHA256 signature');
  const [, accessKeyId, scopeDate, region, service, signedHeaderList, signature] = m as unknown as string[];
  if (service !== SIGNING_SERVICE)
    throw awsErrors.invalidSignature(`Credential should be scoped to correct service: '${SIGNING_SERVICE}'.`);
  const amzDate = headerValue(req.headers['x-amz-date']) ?? '';
  const signingDate = parseAmzDate(amzDate);
  if (!signingDate || !amzDate.startsWith(scopeDate!))
    throw awsErrors.invalidSignature('X-Amz-Date is missing or does not match the credential scope');
  const signed = signedHeaderList!.split(';');
  if (!signed.includes('host') || !signed.includes('x-amz-date')) throw awsErrors.invalidSignature('Host and X-Amz-Date must be signed');
  if (Math.abs(now.getTime() - signingDate.getTime()) > MAX_CLOCK_SKEW_MS) {
    throw awsErrors.invalidSignature(
      `Signature expired: ${amzDate} is now earlier or later than the server's time ${now.toISOString()} by more than 15 minutes.`,
    );
  }
  const credential = await lookup(accessKeyId!);
  if (!credential) throw awsErrors.unrecognizedClient();

  const claimed = headerValue(req.headers['x-amz-content-sha256']);
  if (claimed !== undefined && claimed !== createHash('sha256').update(req.body).digest('hex'))
    throw awsErrors.invalidSignature('The body does not match x-amz-content-sha256');

  const headers: Record<string, string> = {};
  for (const name of signed) {
    const v = headerValue(req.headers[name]);
    if (v === undefined) throw awsErrors.invalidSignature(`Signed header ${name} is missing`);
    headers[name] = v;
  }
  const q = req.url.indexOf('?');
  const query: Record<string, string | string[]> = {};
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(req.url.slice(q + 1))) {
      const prev = query[k];
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
  }
  const expected = await credential.signer.sign(
    {
      method: req.method,
      protocol: 'http:',
      hostname: headers.host ?? '',
      path: q >= 0 ? req.url.slice(0, q) : req.url,
      query,
      headers,
      body: req.body,
    },
    { signingDate, signingRegion: region, signingService: SIGNING_SERVICE, signableHeaders: new Set(signed) },
  );
  // Recomputed over the same headers; the payload hash is the body's (checked above when the client sent it).
  const ours = /Signature=([0-9a-f]{64})/.exec(String(expected.headers.authorization))?.[1] ?? '';
  if (ours.length !== 64 || !timingSafeEqual(Buffer.from(ours), Buffer.from(signature!))) throw awsErrors.invalidSignature();
  return credential;
}
