import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

const DATE_OID = 1082;

/** A `date` (billing periods) stays the text 'YYYY-MM-DD': pg would make it a Date at local midnight. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === DATE_OID ? (value: string) => value : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export function createPool(connectionString: string, max = 10): pg.Pool {
  // Sessions run in UTC so that date_trunc and month boundaries are UTC everywhere.
  const pool = new pg.Pool({ connectionString, max, options: '-c TimeZone=UTC', application_name: 'tally', types });
  // An idle connection that the server closes (restart, failover, a dropped test database) is taken
  // out of the pool; without a listener, pg would crash the process. The next query reconnects.
  pool.on('error', () => {});
  return pool;
}

export function createDb(connectionString: string, max = 10): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: createPool(connectionString, max) }) });
}
