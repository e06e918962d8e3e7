import { isIPv4, isIPv6 } from 'node:net';

/**
 * Which addresses the api may send a tenant's webhook to: public unicast only. A webhook URL is
 * chosen by a tenant; pointed at loopback, a private network, link-local (where cloud metadata
 * services answer, 169.254.169.254 and fd00:ec2::254) or the api's own services, it would make the
 * api a proxy into the operator's network. Addresses that carry an IPv4 address inside IPv6
 * (IPv4-mapped, IPv4-compatible, NAT64, 6to4) are judged by the IPv4 address they lead to.
 */

type Rule = readonly [network: string, prefix: number, reason: string];

const IPV4_RULES: readonly Rule[] = [
  ['0.0.0.0', 8, 'a "this network" address (0.0.0.0/8)'],
  ['10.0.0.0', 8, 'a private address (10.0.0.0/8)'],
  ['100.64.0.0', 10, 'a carrier-grade NAT address (100.64.0.0/10)'],
  ['127.0.0.0', 8, 'a loopback address (127.0.0.0/8)'],
  ['169.254.0.0', 16, 'a link-local address (169.254.0.0/16, where metadata services answer)'],
  ['172.16.0.0', 12, 'a private address (172.16.0.0/12)'],
  ['192.0.0.0', 24, 'an IETF protocol address (192.0.0.0/24)'],
  ['192.0.2.0', 24, 'a documentation address (192.0.2.0/24)'],
  ['192.168.0.0', 16, 'a private address (192.168.0.0/16)'],
  ['198.18.0.0', 15, 'a benchmarking address (198.18.0.0/15)'],
  ['198.51.100.0', 24, 'a documentation address (198.51.100.0/24)'],
  ['203.0.113.0', 24, 'a documentation address (203.0.113.0/24)'],
  ['224.0.0.0', 4, 'a multicast address (224.0.0.0/4)'],
  ['240.0.0.0', 4, 'a reserved or broadcast address (240.0.0.0/4)'],
];

const IPV6_RULES: readonly Rule[] = [
  ['::', 128, 'the unspecified address (::)'],
  ['::1', 128, 'a loopback address (::1)'],
  ['100::', 64, 'a discard-only address (100::/64)'],
  ['2001:db8::', 32, 'a documentation address (2001:db8::/32)'],
  ['fc00::', 7, 'a unique-local address (fc00::/7)'],
  ['fe80::', 10, 'a link-local address (fe80::/10)'],
  ['fec0::', 10, 'a site-local address (fec0::/10)'],
  ['ff00::', 8, 'a multicast address (ff00::/8)'],
];

function ipv4Bytes(text: string): number[] {
  return text.split('.').map(Number);
}

/** The 16 bytes of an IPv6 address (which may end in a dotted IPv4 address). */
function ipv6Bytes(text: string): number[] {
  let body = text;
  let tail: number[] = [];
  const lastColon = body.lastIndexOf(':');
  if (body.slice(lastColon + 1).includes('.')) {
    tail = ipv4Bytes(body.slice(lastColon + 1));
    body = `${body.slice(0, lastColon + 1)}0:0`;
  }
  const [head, rest] = body.includes('::') ? body.split('::') : [body, null];
  const groups = (s: string | undefined) =>
    s
      ? s
          .split(':')
          .filter((g) => g !== '')
          .map((g) => parseInt(g, 16))
      : [];
  const left = groups(head);
  const right = rest === null ? [] : groups(rest);
  const words = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = words.flatMap((w) => [w >> 8, w & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

function inPrefix(bytes: number[], network: number[], prefix: number): boolean {
  for (let bit = 0; bit < prefix; bit += 8) {
    const n = Math.min(8, prefix - bit);
    const mask = (0xff << (8 - n)) & 0xff;
    if ((bytes[bit / 8]! & mask) !== (network[bit / 8]! & mask)) return false;
  }
  return true;
}

const V4 = IPV4_RULES.map(([net, prefix, reason]) => ({ net: ipv4Bytes(net), prefix, reason }));
const V6 = IPV6_RULES.map(([net, prefix, reason]) => ({ net: ipv6Bytes(net), prefix, reason }));

function ipv4Reason(bytes: number[]): string | null {
  return V4.find((r) => inPrefix(bytes, r.net, r.prefix))?.reason ?? null;
}

/** IPv6 forms that lead to an IPv4 address: the address they lead to, or null. */
function embeddedIpv4(b: number[]): number[] | null {
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return b.slice(12); // ::ffff:a.b.c.d, IPv4-mapped
  if (zeros(0, 12) && !zeros(12, 16) && !(zeros(12, 15) && b[15] === 1)) return b.slice(12); // ::a.b.c.d, IPv4-compatible
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return b.slice(12); // 64:ff9b::/96, NAT64
  if (b[0] === 0x20 && b[1] === 0x02) return b.slice(2, 6); // 2002::/16, 6to4
  return null;
}

/**
 * Why a webhook may not be sent to this IP address (a literal, as a resolver returns it), or null
 * when it is a public unicast address. Text that is no IP address at all is refused too.
 */
export function forbiddenAddressReason(address: string): string | null {
  const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIPv4(ip)) return ipv4Reason(ipv4Bytes(ip));
  if (!isIPv6(ip)) return 'not an IP address';
  const bytes = ipv6Bytes(ip.toLowerCase());
  const v4 = embeddedIpv4(bytes);
  if (v4) {
    const reason = ipv4Reason(v4);
    return reason ? `${reason}, inside an IPv6 address` : null;
  }
  return V6.find((r) => inPrefix(bytes, r.net, r.prefix))?.reason ?? null;
}
