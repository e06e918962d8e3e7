import { parseConfig } from './config.js';
import { connectDatabase } from './db/connect.js';
import { migrateToLatest } from './db/migrate.js';
import { createLogger } from './lib/logger.js';

/** `npm run migrate`: apply pending migrations and exit. */
const config = parseConfig(process.env);
const log = createLogger(config.logLevel);
const database = await connectDatabase(config, log);
try {
  const applied = await migrateToLatest(database.db);
  log.info({ applied }, applied.length ? 'migrations applied' : 'the database is up to date');
} finally {
  await database.close();
}
