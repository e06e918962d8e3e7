import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../src/lib/free-port.js';

/** Re-exported for the tests that take it from here. */
export { freePort };

const run = promisify(execFile);

/** The Debian Postgres 15 binaries of the development machine (pg_ctl, initdb). */
export const PG_BIN = '/usr/lib/postgresql/15/bin';

export const clusterAvailable = () => existsSync(join(PG_BIN, 'pg_ctl')) && process.getuid?.() === 0;

export interface Cluster {
  port: number;
  /** The superuser URL of a database on it (trust authentication on loopback). */
  url(database?: string): string;
  start(): Promise<void>;
  /** `pg_ctl stop -m immediate`: every backend killed at once, as in a crash. */
  stopImmediately(): Promise<void>;
  destroy(): Promise<void>;
}

async function asPostgres(command: string, args: string[]) {
  return run('runuser', ['-u', 'postgres', '--', join(PG_BIN, command), ...args], { timeout: 60_000 });
}

/**
 * A throwaway Postgres 15 cluster of its own, on a free loopback port, that a test may stop and start
 * at will (never the machine's shared server). Runs as the `postgres` OS user, so the caller is root.
 */
export async function startCluster(): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'tally-pg-cluster-'));
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout.trim());
  chownSync(dir, await id('-u'), await id('-g'));
  await asPostgres('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
  const cluster: Cluster = {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start: async () => void (await asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', 'start'])),
    stopImmediately: async () => void (await asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])),
    async destroy() {
      await asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}
