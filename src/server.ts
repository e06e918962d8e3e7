import { readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { defaultCapacity } from '../executor/config.js';
import { startExecutor, type Executor } from '../executor/main.js';
import { buildApp, buildServices } from './app.js';
import { startAlertDelivery } from './jobs/budget-alerts.js';
import { scheduleBudgetEvaluation } from './jobs/budget-evaluator.js';
import { scheduleInvoiceFinalizer } from './jobs/invoice-finalizer.js';
import { ConfigError, parseConfig, type Config } from './config.js';
import { connectDatabase } from './db/connect.js';
import { MIGRATIONS_DIR, migrateToLatest } from './db/migrate.js';
import { systemClock } from './lib/clock.js';
import { createLogger } from './lib/logger.js';
import { createAccountsRepository } from './modules/accounts/accounts.repository.js';
import { ensureBootstrapAdminKey } from './modules/accounts/accounts.service.js';
import { localExecutorKey } from './modules/executors/local-key.js';

/** The api process: parse config, open the database, migrate, listen; SIGTERM drains and stops cleanly. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = parseConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`tally: bad configuration: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  const database = await connectDatabase(config, log);
  const applied = await migrateToLatest(database.db);
  if (applied.length > 0) log.info({ applied }, 'migrations applied');

  const generated = await ensureBootstrapAdminKey(createAccountsRepository(database.db), config.adminKey);
  if (generated) {
    // Printed once, on purpose outside the structured log: it is stored only as a hash.
    console.log(`\n  Tally admin key (shown once, store it now): ${generated}\n`);
  }

  const deps = {
    db: database.db,
    clock: systemClock,
    logger: log,
    adminKey: config.adminKey,
    bodyLimitBytes: config.bodyLimitBytes,
    webhooks: { allowPrivate: config.allowPrivateWebhooks },
    rateLimits: { authFailures: config.authFailuresPerMinute, expensive: config.expensivePerMinute },
    loadShedding: { maxEventLoopDelayMs: config.shedEventLoopDelayMs },
    trustProxy: config.trustProxy,
    functions: { accountConcurrency: config.accountConcurrency },
    expectedMigrations: readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).length,
  };
  const services = buildServices(deps);
  const app = await buildApp(deps, services);
  const finalizer = scheduleInvoiceFinalizer({ invoices: services.invoices, clock: systemClock, log });
  // Hard caps are checked in memory on the invoke path: load them before taking traffic.
  await services.budgets.refreshCaps();
  const budgetEvaluation = scheduleBudgetEvaluation({ budgets: services.budgets, log });
  const alertDelivery = startAlertDelivery({ alerts: services.alerts, log });

  let executor: Executor | null = null;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: draining in-flight requests');
    const force = setTimeout(() => {
      log.error('shutdown took longer than 20 s; exiting');
      process.exit(1);
    }, 20_000);
    force.unref();
    try {
      // The executor first: it leaves the rotation, finishes what runs and sends its usage to this api.
      await executor?.stop();
      await finalizer.stop();
      await budgetEvaluation.stop();
      await alertDelivery.stop();
      await app.close();
      await database.close();
    } finally {
      clearTimeout(force);
      log.info('stopped');
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  if (config.localExecutor && !stopping) {
    // One executor in this process, so that a fresh `npm start` can deploy and invoke at once.
    const { port } = app.server.address() as AddressInfo;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    executor = await startExecutor({
      apiUrl: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      key: await localExecutorKey({ dataDir: config.dataDir, auth: services.auth, accounts: services.accounts }),
      host: '127.0.0.1',
      port: 0,
      dir: path.join(config.dataDir, 'executor'),
      capacity: config.executorCapacity ?? defaultCapacity(),
      idleTimeoutMs: config.executorIdleTimeoutS * 1000,
      flushIntervalMs: 1000,
      shutdownTimeoutMs: 10_000,
      logLevel: config.logLevel,
      sandbox: config.sandbox,
      logger: log.child({ module: 'executor' }),
    });
    services.executorClient.attachLocal(executor.id, executor.local);
  }
}

main().catch((err) => {
  console.error('tally: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
