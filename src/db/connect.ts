import type { Config } from '../config.js';
import type { Logger } from '../lib/logger.js';
import { deriveAppUrl, provisionAppLogin } from './app-role.js';
import { createDb, type Db } from './database.js';
import { startEmbeddedPostgres } from './embedded.js';
import { migrateToLatest } from './migrate.js';

export interface DatabaseConnection {
  /** The api's own connection, as its least-privileged role. */
  db: Db;
  /** Migrations applied by this start. */
  applied: string[];
  /** The owner's connection string (the embedded server's, when it runs): what other api processes of this one connect with. */
  ownerUrl: string;
  close(): Promise<void>;
  /** The last resort of a shutdown that ran out of time: stop an embedded server at once (it recovers from its WAL). */
  kill(): void;
}

/**
 * The server (DATABASE_URL, else the embedded one in TALLY_DATA_DIR), migrated with the owner's
 * connection, which is then closed; the api connects as TALLY_APP_DATABASE_URL's role, or as
 * `tally_api` (see deriveAppUrl), created here as a member of tally_app when missing.
 * `onLost` is called when the embedded server died and could not be started again.
 */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'appDatabaseUrl' | 'dataDir' | 'dbStatementTimeoutMs' | 'dbIdleInTransactionTimeoutMs'>,
  log: Logger,
  opts: { onLost?: (err: Error) => void } = {},
): Promise<DatabaseConnection> {
  const server = config.databaseUrl
    ? { url: config.databaseUrl, stop: async () => {}, kill: () => {} }
    : await startEmbeddedPostgres(config.dataDir, log, 'tally', { onLost: opts.onLost });
  let applied: string[];
  let appUrl: string;
  try {
    // No statement timeout here, not even a default of the server, database or role: a migration may rewrite a large
    // table or build an index, and it runs once, at start-up, in one transaction under Kysely's lock
    // (docs/operations.md, "Statement timeout").
    const owner = createDb(server.url, { max: 2, log, noStatementTimeout: true });
    try {
      applied = await migrateToLatest(owner, undefined, (unknown) =>
        log.warn({ newer: unknown }, 'the database was migrated by a newer release; starting on its schema as it is'),
      );
      appUrl = config.appDatabaseUrl ?? deriveAppUrl(server.url);
      await provisionAppLogin(owner, appUrl, { managePassword: config.appDatabaseUrl === null, log });
    } finally {
      await owner.destroy();
    }
  } catch (err) {
    await server.stop();
    throw err;
  }
  const db = createDb(appUrl, {
    log,
    statementTimeoutMs: config.dbStatementTimeoutMs,
    idleInTransactionTimeoutMs: config.dbIdleInTransactionTimeoutMs,
  });
  return {
    db,
    applied,
    ownerUrl: server.url,
    async close() {
      await db.destroy();
      await server.stop();
    },
    kill: () => server.kill(),
  };
}
