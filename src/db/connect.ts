import type { Config } from '../config.js';
import type { Logger } from '../lib/logger.js';
import { createDb, type Db } from './database.js';
import { startEmbeddedPostgres } from './embedded.js';

export interface DatabaseConnection {
  db: Db;
  close(): Promise<void>;
  /** The last resort of a shutdown that ran out of time: stop an embedded server at once (it recovers from its WAL). */
  kill(): void;
}

/**
 * DATABASE_URL when given, else the embedded server in TALLY_DATA_DIR: one driver, one code path.
 * `onLost` is called when the embedded server died and could not be started again.
 */
export async function connectDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir'>,
  log: Logger,
  opts: { onLost?: (err: Error) => void } = {},
): Promise<DatabaseConnection> {
  if (config.databaseUrl) {
    const db = createDb(config.databaseUrl, { log });
    return { db, close: () => db.destroy(), kill: () => {} };
  }
  const embedded = await startEmbeddedPostgres(config.dataDir, log, 'tally', { onLost: opts.onLost });
  const db = createDb(embedded.url, { log });
  return {
    db,
    async close() {
      await db.destroy();
      await embedded.stop();
    },
    kill: () => embedded.kill(),
  };
}
