import { configOrExit } from './config.js';
import { guardStart } from './db/start-guard.js';
import { createLogger } from './lib/logger.js';
import { resolveLogFormat } from './lib/start-banner.js';

/**
 * `npm run migrate`: apply pending migrations (as the owner), prepare the api's role, and exit. Guarded as the api's
 * start is (src/db/start-guard.ts): a signal lets the migration in flight end, then stops the embedded Postgres this
 * opened, which left running would hold the data folder against every later start.
 */
const guard = guardStart();
const config = configOrExit(process.env);
const log = createLogger(config.logLevel, resolveLogFormat(config.logFormat, process.stdout.isTTY === true));
try {
  const database = await guard.open(config, log);
  log.info({ applied: database.applied }, database.applied.length ? 'migrations applied' : 'the database is up to date');
  await guard.close();
} catch (err) {
  console.error('tally: migrate failed:', err instanceof Error ? err.message : String(err));
  await guard.close();
  process.exit(1);
}
