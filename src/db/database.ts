import pg from 'pg';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
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
  /**
   * The sessions' `statement_timeout`: a statement running longer is cancelled (SQLSTATE 57014) and its
   * connection goes back to the pool. Absent or 0: none set (the server's own setting applies).
   */
  statementTimeoutMs?: number;
  /** The sessions' `idle_in_transaction_session_timeout`: the server ends a session left idle in a transaction this long. */
  idleInTransactionTimeoutMs?: number;
  /**
   * No statement timeout at all (`statement_timeout` = 0 at each connection's start), whatever the server, the
   * database or the role sets by default: for the owner's connection, whose migrations may run long.
   */
  noStatementTimeout?: boolean;
}

export function createPool(connectionString: string, options: PoolOptions = {}): pg.Pool {
  // Sessions run in UTC so that date_trunc and month boundaries are UTC everywhere.
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    options: options.noStatementTimeout ? '-c TimeZone=UTC -c statement_timeout=0' : '-c TimeZone=UTC',
    application_name: 'tally',
    types,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    keepAlive: true,
    // Sent with each connection's start-up (pg leaves out a 0): SHOW statement_timeout in a session tells it.
    statement_timeout: options.statementTimeoutMs || undefined,
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs || undefined,
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

/**
 * Runs `fn` in a transaction whose statements have no statement timeout (SET LOCAL: the pooled
 * connection keeps its own once the transaction ends). For work that may legitimately run longer than
 * TALLY_DB_STATEMENT_TIMEOUT_MS, and only work no client waits on and that holds few connections:
 * docs/operations.md, "Statement timeout", lists each user and why.
 */
export function withoutStatementTimeout<T>(db: Db, fn: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    await sql`set local statement_timeout = 0`.execute(tx);
    return fn(tx);
  });
}
