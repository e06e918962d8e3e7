import type { Config } from '../config.js';
import type { Logger } from '../lib/logger.js';
import { createDb, type Db } from './database.js';
import { startEmbeddedPostgres } from './embedded.js';

/** DATABASE_URL when given, else the embedded server in TALLY_DATA_DIR: one driver, one code path. */
export async function connectDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>, log: Logger): Promise<{ db: Db; close(): Promise<void> }> {
  if (config.databaseUrl) {
    const db = createDb(config.databaseUrl);
    return { db, close: () => db.destroy() };
  }
  const embedded = await startEmbeddedPostgres(config.dataDir, log);
  const db = createDb(embedded.url);
  return {
    db,
    async close() {
      await db.destroy();
      await embedded.stop();
    },
  };
}
