import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Logger } from '../lib/logger.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

const DATE_OID = 1082;

/** A `date` (billing periods) stays the text 'YYYY-MM-DD': pg would make it a Date at local midnight. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === DATE_OID ? (value: string) => value : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface PoolOptions {
  max?: number;
  /** Where lost connections are reported (once per connection); silent without. */
  log?: Pick<Logger, 'warn'>;
  /** How long a query waits for a connection before it fails (and its request answers 503). */
  connectionTimeoutMs?: number;
}

export function createPool(connectionString: string, options: PoolOptions = {}): pg.Pool {
  // Sessions run in UTC so that date_trunc and month boundaries are UTC everywhere.
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    options: '-c TimeZone=UTC',
    application_name: 'tally',
    types,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    keepAlive: true,
  });
  // A connection the server closes (restart, failover, crash, a dropped test database) emits 'error'
  // on its client, idle or checked out; with no listener Node would end the process. Every client
  // gets one: the query in flight fails on its own (its request answers 503), the pool drops the
  // client, and the next query opens a new connection once the server is back.
  const lost = (err: Error) => options.log?.warn({ err: err.message }, 'database connection lost');
  pool.on('connect', (client) => client.on('error', lost));
  pool.on('error', () => {}); // an idle client's error, already reported by its own listener
  return pool;
}

export function createDb(connectionString: string, options: PoolOptions | number = {}): Db {
  const opts = typeof options === 'number' ? { max: options } : options;
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: createPool(connectionString, opts) }) });
}
