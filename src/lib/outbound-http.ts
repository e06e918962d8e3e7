import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { errors } from './errors.js';
import { forbiddenAddressReason } from './network-address.js';

/** Resolves a host name to every address it has (the system resolver unless a test injects one). */
export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export interface OutboundOptions {
  /** Let tenants' webhooks reach loopback and private networks (TALLY_ALLOW_PRIVATE_WEBHOOKS). */
  allowPrivate?: boolean;
  resolver?: Resolver;
}

/** A webhook destination refused for its address: the attempt fails as a connection failure would. */
export class ForbiddenDestinationError extends Error {
  override readonly name = 'ForbiddenDestinationError';
  readonly code = 'FORBIDDEN_DESTINATION';
}

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** How long the check at creation waits for DNS; a name that does not resolve yet is checked again at send time. */
const CREATION_LOOKUP_MS = 3_000;

/**
 * POSTs to tenants' webhook URLs without letting them reach the operator's network. The host name
 * is resolved once per connection, every address it resolves to is checked, and the socket
 * connects to the very addresses checked (the request's `lookup`), so a name that answers a public
 * address to the check and a private one a moment later (DNS rebinding) gains nothing. The URL's
 * host stays in the Host header and, over TLS, in SNI and the certificate check. Redirects are
 * never followed: a 3xx is an answer, not a delivery.
 */
export function createOutboundHttp(options: OutboundOptions = {}) {
  const allowPrivate = options.allowPrivate ?? false;
  const resolve = options.resolver ?? systemResolver;

  function refusal(host: string, address: string): string | null {
    if (allowPrivate) return null;
    const reason = forbiddenAddressReason(address);
    return reason && `${host === address ? address : `${host} resolves to ${address}, which`} is ${reason}`;
  }

  const guardedLookup: LookupFunction = (hostname, opts, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const family = typeof opts.family === 'number' ? opts.family : 0;
        const usable = addresses.filter((a) => family === 0 || a.family === family);
        for (const a of addresses) {
          const reason = refusal(hostname, a.address);
          if (reason) return callback(new ForbiddenDestinationError(reason), '', 0);
        }
        if (usable.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
        if (opts.all) return (callback as unknown as (e: null, a: typeof usable) => void)(null, usable);
        callback(null, usable[0]!.address, usable[0]!.family);
      },
      (err: unknown) => callback(err as NodeJS.ErrnoException, '', 0),
    );
  };

  const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

  return {
    /**
     * At creation: refuses (400) a URL whose host is, or resolves to, an address webhooks may not
     * reach. A name that does not resolve (yet) is accepted: the send-time check still applies.
     */
    async check(field: string, text: string): Promise<void> {
      if (allowPrivate) return;
      const host = hostOf(new URL(text));
      let addresses: { address: string }[];
      if (isIP(host)) addresses = [{ address: host }];
      else {
        const timeout = new Promise<null>((r) => setTimeout(r, CREATION_LOOKUP_MS, null).unref());
        addresses = (await Promise.race([resolve(host).catch(() => null), timeout])) ?? [];
      }
      for (const a of addresses) {
        const reason = refusal(host, a.address);
        if (reason) {
          throw errors.validation(
            `${field}: ${reason}; webhooks may only reach public addresses (an operator may allow private ones with TALLY_ALLOW_PRIVATE_WEBHOOKS=true)`,
            [{ field, message: reason }],
          );
        }
      }
    },

    /** One POST; resolves with the HTTP status. The answer's body is read and dropped. */
    post(text: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number> {
      const url = new URL(text);
      const host = hostOf(url);
      // A literal address is never looked up, so it is checked here.
      const reason = isIP(host) ? refusal(host, host) : null;
      if (reason) return Promise.reject(new ForbiddenDestinationError(reason));
      const client = url.protocol === 'https:' ? https : http;
      return new Promise<number>((resolvePost, reject) => {
        const req = client.request(
          url,
          {
            method: 'POST',
            lookup: guardedLookup,
            agent: false,
            headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolvePost(res.statusCode ?? 0));
            res.on('error', reject);
          },
        );
        // The whole exchange, not only an idle socket: a receiver dripping bytes is cut off too.
        const timer = setTimeout(
          () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { name: 'TimeoutError' })),
          timeoutMs,
        );
        req.on('close', () => clearTimeout(timer));
        req.on('error', reject);
        req.end(body);
      });
    },
  };
}

export type OutboundHttp = ReturnType<typeof createOutboundHttp>;
