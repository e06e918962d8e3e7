import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { errors } from '../../lib/errors.js';
import { forbiddenAddressReason } from '../../lib/network-address.js';

/** A service of the platform itself (its database server, the api's listeners), which no broker URL may name. */
export interface PlatformEndpoint {
  host: string;
  port: number;
  /** Named in the refusal: `Tally's database`. */
  what: string;
}

export interface BrokerAddressOptions {
  /** The platform's own endpoints, refused at their port on their host (for a loopback host: on every address of this host). */
  platform?: PlatformEndpoint[];
  /** Resolves a host name to its addresses (the system resolver unless a test injects one). */
  resolver?: (hostname: string) => Promise<{ address: string }[]>;
}

/** The port a broker URL names, or its scheme's default. */
const DEFAULT_PORTS: Record<string, number> = {
  'amqp:': 5672,
  'amqps:': 5671,
  'mqtt:': 1883,
  'mqtts:': 8883,
  'tcp:': 1883,
  'ws:': 80,
  'wss:': 443,
  'nats:': 4222,
  'redis:': 6379,
  'rediss:': 6379,
  'postgres:': 5432,
  'postgresql:': 5432,
};

/** Cloud metadata services outside link-local: Alibaba Cloud's, and AWS's IPv6 one (inside fc00::/7). */
const METADATA = new Set(['100.100.100.200', 'fd00:ec2::254']);

const CREATION_LOOKUP_MS = 3_000;

/** An address as compared: no brackets or zone, lower case, an IPv4-mapped IPv6 address as its IPv4 address (URLs write `[::ffff:7f00:1]`). */
function bare(address: string): string {
  const a = address
    .replace(/^\[|\]$/g, '')
    .replace(/%.*$/, '')
    .toLowerCase();
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (dotted) return dotted[1]!;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
  if (!hex) return a;
  const [hi, lo] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

/** Loopback, unspecified (0.0.0.0 and :: reach this host), or an address of one of this host's interfaces. */
function isThisHost(address: string): boolean {
  const a = bare(address);
  if (/^127\./.test(a) || a === '::1' || a === '0.0.0.0' || a === '::' || /^0\./.test(a)) return true;
  for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) if (bare(i.address) === a) return true;
  return false;
}

/**
 * A tenant's broker URL may not make the api a client of the operator's own services: the platform's database server
 * (a postgres source would make replication slots on it, a redis or rabbitmq one read its queues), the api's own
 * listeners, or the cloud metadata services (link-local addresses). Every address the host resolves to is checked;
 * brokers elsewhere on loopback or a private network stay allowed (a self-hosted RabbitMQ beside Tally is the usual
 * case). Checked when a mapping is made and again before each connection a poller opens, so a name pointed at one
 * of these later gets nothing either.
 */
export function createBrokerAddressCheck(options: BrokerAddressOptions = {}) {
  const resolve = options.resolver ?? ((host: string) => lookup(host, { all: true, verbatim: true }));
  const platform = options.platform ?? [];

  async function addressesOf(host: string): Promise<string[]> {
    if (isIP(bare(host))) return [bare(host)];
    if (host === 'localhost') return ['127.0.0.1', '::1'];
    const timeout = new Promise<null>((r) => setTimeout(r, CREATION_LOOKUP_MS, null).unref());
    const found = await Promise.race([resolve(host).catch(() => null), timeout]);
    return (found ?? []).map((a) => bare(a.address));
  }

  /** Why this URL may not be used, or null. */
  async function refusal(raw: string): Promise<string | null> {
    const u = new URL(raw);
    const host = u.hostname;
    const port = u.port ? Number(u.port) : (DEFAULT_PORTS[u.protocol] ?? 0);
    const addresses = await addressesOf(host);
    for (const a of addresses) {
      const reason = forbiddenAddressReason(a);
      if (METADATA.has(a) || (reason !== null && /link-local/.test(reason))) {
        return `${host} is, or resolves to, ${a}: ${reason ?? 'a cloud metadata service address'}`;
      }
    }
    for (const p of platform) {
      if (p.port !== port) continue;
      const theirs = await addressesOf(p.host);
      const local = theirs.some(isThisHost);
      for (const a of addresses) {
        if (theirs.includes(a) || (local && isThisHost(a))) return `${host}:${port} is ${p.what}`;
      }
    }
    return null;
  }

  return {
    /** At creation: a 400 naming `field` when the URL reaches one of the platform's own services. */
    async check(field: string, raw: string): Promise<void> {
      const reason = await refusal(raw);
      if (reason) throw errors.validation(`${field}: ${reason}; a broker URL may not reach the platform's own services`, [{ field }]);
    },
    /** Before a poller connects: throws (a connection error the poller reports and retries) when refused. */
    async guard(raw: string): Promise<void> {
      const reason = await refusal(raw);
      if (reason) throw new Error(`refused: ${reason}; a broker URL may not reach the platform's own services`);
    },
  };
}

export type BrokerAddressCheck = ReturnType<typeof createBrokerAddressCheck>;
