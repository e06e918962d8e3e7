import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

export function createPool(connectionString: string, max = 10): pg.Pool {
  // Sessions run in UTC so that date_trunc and month boundaries are UTC everywhere.
  return new pg.Pool({ connectionString, max, options: '-c TimeZone=UTC', application_name: 'tally' });
}

export function createDb(connectionString: string, max = 10): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: createPool(connectionString, max) }) });
}
