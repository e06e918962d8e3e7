import { loadSecretBox } from './lib/secret-box.js';
import { readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { defaultCapacity } from '../executor/config.js';
import { startExecutor, type Executor } from '../executor/main.js';
import { buildApp, buildServices } from './app.js';
import { startAsyncWorker } from './jobs/async-worker.js';
import { startAlertDelivery } from './jobs/budget-alerts.js';
import { startScheduler } from './jobs/scheduler.js';
import { scheduleLogUpkeep } from './jobs/log-retention.js';
import { scheduleRecordRetention } from './jobs/record-retention.js';
import { startEventSources } from './jobs/event-sources.js';
import { scheduleBudgetEvaluation } from './jobs/budget-evaluator.js';
import { scheduleInvoiceFinalizer } from './jobs/invoice-finalizer.js';
import { type Config, configOrExit } from './config.js';
import { runPrimary, workerMetrics, workerNumber } from './cluster.js';
import { guardStart, type StartGuard } from './db/start-guard.js';
import { MIGRATIONS_DIR } from './db/migrate.js';
import { createAdminServer } from './lib/admin-listener.js';
import { systemClock } from './lib/clock.js';
import { holdPort } from './lib/free-port.js';
import { createShutdown } from './lib/shutdown.js';
import { createLogger } from './lib/logger.js';
import { printWhere, resolveLogFormat } from './lib/start-banner.js';
import { createAccountsRepository } from './modules/accounts/accounts.repository.js';
import type { PlatformEndpoint } from './modules/sources/broker-address.js';
import { ensureBootstrapAdminKey } from './modules/accounts/accounts.service.js';
import { createAuditRepository } from './modules/audit/audit.repository.js';
import { localIngest } from './modules/executors/local-ingest.js';
import { localExecutorKey } from './modules/executors/local-key.js';

/** The api process: parse config, open the database, migrate, listen; SIGTERM drains and stops cleanly. */
async function main(guard: StartGuard): Promise<void> {
  const config = configOrExit(process.env);
  const rootLog = createLogger(config.logLevel, resolveLogFormat(config.logFormat, process.stdout.isTTY === true));
  const worker = workerNumber();
  if (worker === null && config.apiProcesses > 1) return runPrimary(config, rootLog, guard);
  const log = worker === null ? rootLog : rootLog.child({ worker });
  // Said first, so it is on screen before anything else scrolls by (PORT=0: once the port is known;
  // several api processes: by their primary, or by the first worker once the port is known).
  if (config.port !== 0 && worker === null) printWhere(config, log, config.port);
  // Held before the database opens its connections, so that none of them takes them (src/lib/free-port.ts).
  const hold = (port: number | null, host: string) => (worker === null && port ? holdPort(port, host) : null);
  const heldPort = await hold(config.port, config.host);
  const heldAdminPort = await hold(config.adminPort, config.adminHost);
  // Until the shutdown below exists, losing the embedded database ends the process at once.
  let databaseLost = (err: Error): void => {
    log.fatal({ err: err.message }, 'the database is gone; exiting');
    process.exit(1);
  };
  // A signal from here to the end of start-up stops the database this start opened (src/db/start-guard.ts).
  const database = await guard.open(config, log, { onLost: (err) => databaseLost(err) });
  if (database.applied.length > 0) log.info({ applied: database.applied }, 'migrations applied');

  const generated = await ensureBootstrapAdminKey(
    database.db,
    createAccountsRepository(database.db),
    createAuditRepository(database.db),
    config.adminKey,
  );
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
    billingLookbackMonths: config.billingLookbackMonths,
    adminListener: config.adminPort !== null,
    webhooks: { allowPrivate: config.allowPrivateWebhooks },
    brokers: { platform: platformEndpoints(config, database.ownerUrl) },
    rateLimits: { authFailures: config.authFailuresPerMinute, expensive: config.expensivePerMinute },
    loadShedding: { maxEventLoopDelayMs: config.shedEventLoopDelayMs },
    trustProxy: config.trustProxy,
    functions: {
      accountConcurrency: config.accountConcurrency,
      minUnreservedConcurrency: config.minUnreservedConcurrency,
      executors: { tokenVersion: config.dispatchTokenVersion },
      invokeStreams: config.invokeStreams,
    },
    publicUrl: config.publicUrl,
    logs: { maxFollowersPerAccount: config.logFollowersPerAccount, maxAgeDays: config.logMaxAgeDays },
    aws: { region: config.region },
    events: { retryBaseMs: config.asyncRetryBaseMs, leaseMs: config.asyncLeaseMs },
    secretBox: loadSecretBox({ secretKey: config.secretKey, previousKeys: config.previousSecretKeys, dataDir: config.dataDir }),
    expectedMigrations: readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).length,
  };
  const services = buildServices(deps);
  // One of several api processes: /metrics answers for all of them.
  if (worker !== null) services.metrics.exposition = workerMetrics(services.metrics.registry);
  const app = await buildApp(deps, services);
  // The start's checks (every sealed value opens, the dispatch-token secret loads) pass before any worker
  // touches tenants' data: a replica started with the wrong TALLY_SECRET_KEY writes nothing (found by a
  // review on 2026-12-07: it recorded failed alert and webhook deliveries before its start was refused).
  await app.ready();
  const finalizer = scheduleInvoiceFinalizer({ invoices: services.invoices, clock: systemClock, log });
  // Hard caps are checked in memory on the invoke path: load them before taking traffic.
  await services.budgets.refreshCaps();
  const budgetEvaluation = scheduleBudgetEvaluation({ budgets: services.budgets, log });
  const alertDelivery = startAlertDelivery({ alerts: services.alerts, log });
  const scheduler = startScheduler({ schedules: services.schedules, log });
  const logUpkeep = scheduleLogUpkeep({ logs: services.logs, log });
  const recordRetention = scheduleRecordRetention({ retention: services.retention, days: config.recordRetentionDays, log });
  const eventSources = startEventSources({
    sources: services.sources,
    invoke: services.invoke,
    events: services.events,
    clock: systemClock,
    log,
    // At most 10 s: a dead replica's mappings move within seconds, whatever the async lease.
    options: { leaseMs: Math.min(config.asyncLeaseMs, 10_000), retryBaseMs: config.asyncRetryBaseMs },
  });
  const asyncWorker = startAsyncWorker({ events: services.events, log, options: { concurrency: config.asyncConcurrency } });

  let executor: Executor | null = null;
  const admin = config.adminPort === null ? null : createAdminServer(app.routing);
  let stopping = false;
  const shutdown = async (signal: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    // Not ready from now on: a load balancer stops sending work while the steps below drain.
    app.lifecycle.draining = true;
    log.info({ signal }, 'shutting down: draining in-flight requests');
    // Whatever the database or the clients do, the process ends within its grace period.
    const force = setTimeout(() => {
      log.error({ timeoutS: config.shutdownTimeoutMs / 1000 }, 'shutdown overran TALLY_SHUTDOWN_TIMEOUT_S; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    const steps = createShutdown(log, config.shutdownTimeoutMs - 500);
    // The executor first: it leaves the rotation, finishes what runs and sends its usage to this api
    // (what the api cannot take now stays in its spool for the next start).
    // Async events in flight finish first (none is claimed after this); one cut short runs again elsewhere.
    // Pollers stop first: batches cut short stay unacknowledged with their brokers.
    await steps.step('event sources', () => eventSources.stop(), { ms: steps.left() / 4 });
    await steps.step('async', () => asyncWorker.stop(), { ms: steps.left() / 3 });
    await steps.step('executor', () => executor?.stop());
    await steps.step(
      'jobs',
      () =>
        Promise.all([
          finalizer.stop(),
          budgetEvaluation.stop(),
          alertDelivery.stop(),
          scheduler.stop(),
          logUpkeep.stop(),
          recordRetention.stop(),
        ]),
      {
        ms: steps.left() / 3,
      },
    );
    // Requests in flight get most of what is left; then every connection is cut.
    admin?.close();
    admin?.closeAllConnections();
    await steps.step('http', () => app.close(), { ms: steps.left() - 2_000, onOverrun: () => app.server.closeAllConnections() });
    await steps.step('database', () => database.close(), { onOverrun: () => database.kill() });
    clearTimeout(force);
    log.info('stopped');
    process.exit(steps.clean ? exitCode : 1);
  };
  databaseLost = (err) => {
    log.fatal({ err: err.message }, 'the embedded database is gone and could not be restarted; exiting');
    void shutdown('database lost', 1);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // A worker of several stops when its primary says (SIGTERM, in order); Ctrl-C reaches every process of the terminal.
  process.on('SIGINT', () => worker === null && void shutdown('SIGINT'));
  guard.started();

  heldPort?.release();
  await app.listen({ port: config.port, host: config.host });
  services.metrics.listening.set(1);
  if (config.port === 0 && (worker === null || worker === 1)) printWhere(config, log, (app.server.address() as AddressInfo).port);
  if (admin) {
    heldAdminPort?.release();
    await new Promise<void>((resolve, reject) => admin.once('error', reject).listen(config.adminPort!, config.adminHost, resolve));
    admin.on('error', (err) => log.error({ err }, 'admin listener error'));
    log.info({ address: admin.address() }, 'admin listener (metrics, docs) ready');
  }
  if (config.localExecutor && !stopping) {
    // One executor in this process, so that a fresh `npm start` can deploy and invoke at once.
    const { port } = app.server.address() as AddressInfo;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    const starting = (async () => {
      const key = await localExecutorKey({ dataDir: config.dataDir, auth: services.auth, accounts: services.accounts });
      const started = await startExecutor({
        apiUrl: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
        key,
        host: '127.0.0.1',
        port: 0,
        dir: path.join(config.dataDir, 'executor'),
        capacity: config.executorCapacity ?? defaultCapacity(),
        idleTimeoutMs: config.executorIdleTimeoutS * 1000,
        maxInstanceAgeMs: config.executorMaxInstanceAgeS * 1000,
        flushIntervalMs: 1000,
        // Half of the api's own grace period, so that the api still takes its usage while it stops.
        shutdownTimeoutMs: Math.min(10_000, config.shutdownTimeoutMs / 2),
        logLevel: config.logLevel,
        sandbox: config.sandbox,
        caches: config.executorCaches,
        logger: log.child({ module: 'executor' }),
        // Its usage and log lines go straight to this api's services, not over loopback HTTP.
        ingest: localIngest({ key, auth: services.auth, usage: services.usage, logs: services.logs }),
      });
      services.executorClient.attachLocal(started.id, started.local);
      return started;
    })();
    // Invocations arriving while it builds its sandbox wait for it rather than answer 503.
    services.executorClient.expectLocal(starting);
    executor = await starting;
  }
}

// From the first moment: a start that fails or is stopped half-way stops the database it opened.
const guard = guardStart();
main(guard).catch(async (err) => {
  console.error('tally: failed to start:', err instanceof Error ? err.message : String(err));
  await guard.close();
  process.exit(1);
});

/**
 * The platform's own services that a tenant's broker URL may not name (src/modules/sources/broker-address.ts): the
 * database server (as its owner and as the api connect to it) and the api's listeners.
 */
function platformEndpoints(config: Config, ownerUrl: string): PlatformEndpoint[] {
  const out: PlatformEndpoint[] = [];
  for (const url of [ownerUrl, config.appDatabaseUrl]) {
    if (!url) continue;
    try {
      const u = new URL(url);
      if (u.hostname) out.push({ host: u.hostname, port: Number(u.port || 5432), what: "Tally's database server" });
    } catch {}
  }
  const local = (host: string) => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
  if (config.port) out.push({ host: local(config.host), port: config.port, what: "Tally's api" });
  if (config.adminPort) out.push({ host: local(config.adminHost), port: config.adminPort, what: "Tally's admin listener" });
  return out;
}
