import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run } from './exec.js';

/** The Runtime API as every runtime sees it, inside its own network namespace (as on Lambda). */
export const RUNTIME_API_INSIDE = '127.0.0.1:9001';

export type NetworkMode = 'outbound' | 'none';

export interface NetworkOptions {
  mode: NetworkMode;
  /** Extra IPv4 ranges a function may not reach (the operator's private networks). */
  denyCidrs: string[];
  ip: string;
  pasta: string;
}

export interface Network {
  /** The namespace file, for nsenter. */
  readonly nsPath: string;
  close(): Promise<void>;
}

/**
 * Cloud metadata services, which hand out the host's credentials: link-local (AWS, GCP, Azure, and most
 * others at 169.254.169.254) and Alibaba Cloud's, which is not link-local.
 */
export const METADATA_RANGES = ['169.254.0.0/16', '100.100.100.200/32'];

/** Before the main table's rule (32766), after the local table's (0): an instance's own addresses stay its own. */
const DENY_RULE_PREF = 100;

/** Never reachable from a function: cloud metadata and every address of this host. */
export function deniedRanges(extra: string[]): string[] {
  const host: string[] = [];
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const a of addresses ?? []) {
      // Every one but 127.0.0.0/8, which is the instance's own: an address on the loopback interface
      // (a service address, a VIP) is as much the host's as one on a card (`internal` would skip it).
      if (a.family === 'IPv4' && !a.address.startsWith('127.')) host.push(`${a.address}/32`);
    }
  }
  return [...new Set([...METADATA_RANGES, ...host, ...extra])];
}

/**
 * A network namespace of its own for one instance. Its loopback is private (the host's Postgres,
 * the api and other instances' Runtime APIs are simply not there). pasta, a user-mode network
 * stack, runs beside it and
 * - forwards the namespace's 127.0.0.1:9001 to this instance's Runtime API port on the host, and
 *   nothing else of the host's loopback (`-T` with one port; `--no-map-gw`);
 * - in `outbound` mode gives it a routed interface to the outside, minus the denied ranges (policy
 *   rules that prohibit them), which the function (no CAP_NET_ADMIN) cannot change.
 * In `none` mode the interface stays down: only the Runtime API answers.
 */
export async function openNetwork(name: string, dir: string, runtimeApiPort: number, options: NetworkOptions): Promise<Network> {
  const nsPath = path.join('/run/netns', name);
  const pidFile = path.join(dir, 'pasta.pid');
  await run(options.ip, ['netns', 'add', name]);
  const close = async () => {
    const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await run(options.ip, ['netns', 'delete', name]).catch(() => undefined);
  };
  try {
    await run(options.ip, ['-n', name, 'link', 'set', 'lo', 'up']);
    // pasta must stay root to enter a namespace owned by the host; it then confines itself
    // (its own empty mount namespace, no capabilities it does not need, a seccomp filter).
    await run(options.pasta, [
      '--netns',
      name,
      '--runas',
      '0',
      '-4',
      '-q',
      '-P',
      pidFile,
      ...(options.mode === 'outbound' ? ['--config-net'] : []),
      '-t',
      'none',
      '-u',
      'none',
      '-U',
      'none',
      '-T',
      `9001:${runtimeApiPort}`,
      '--no-map-gw',
      '--no-dhcp',
      '--no-dhcpv6',
      '--no-ndp',
      '--no-ra',
    ]);
    // Denied as policy rules, looked up before any route: pasta gives the namespace this host's address with
    // its prefix, so a route to the host's whole subnet, and a prohibit *route* for a wider range (10.0.0.0/8
    // around a host at 10.0.1.5/24) lost to it, leaving every neighbour on the subnet reachable. Added once
    // pasta has set up the namespace, since its default route's gateway may lie in a denied range.
    if (options.mode === 'outbound') {
      const rules = deniedRanges(options.denyCidrs).map((range) => `rule add to ${range} prohibit pref ${DENY_RULE_PREF}`);
      await run(options.ip, ['-n', name, '-batch', '-'], `${rules.join('\n')}\n`);
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { nsPath, close };
}
