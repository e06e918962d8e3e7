import { parseConfig } from './config.js';
import { openDatabase } from './db/connect.js';
import { createLogger } from './lib/logger.js';

/** `npm run migrate`: apply pending migrations (as the owner), prepare the api's role, and exit. */
const config = parseConfig(process.env);
const log = createLogger(config.logLevel);
const database = await openDatabase(config, log);
log.info({ applied: database.applied }, database.applied.length ? 'migrations applied' : 'the database is up to date');
await database.close();
