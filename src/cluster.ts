import cluster, { type Worker } from 'node:cluster';
import { setTimeout as sleep } from 'node:timers/promises';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';
import type { Config } from './config.js';
import type { DatabaseConnection } from './db/connect.js';
import type { StartGuard } from './db/start-guard.js';
import type { Logger } from './lib/logger.js';
import { loadSecretBox } from './lib/secret-box.js';
import { printWhere } from './lib/start-banner.js';
import { createAccountsRepository } from './modules/accounts/accounts.repository.js';
import { ensureBootstrapAdminKey } from './modules/accounts/accounts.service.js';
import { createAuditRepository } from './modules/audit/audit.repository.js';

/**
 * Several api processes on one port (TALLY_API_PROCESSES, docs/scaling.md): node:cluster's primary
 * holds the listening sockets and hands each new connection to a worker in turn. Each worker is an
 * ordinary api replica (what several machines run, on one machine): every cross-replica guarantee
 * (concurrency leases, one poller per mapping, schedules fired once, exactly-once ingest) already
 * holds between them because it lives in Postgres.
 *
 * The primary does what must happen once before any worker starts: it opens the database (and runs
 * the embedded server, when there is no DATABASE_URL), applies migrations, makes the bootstrap admin
 * key and the secret key file. The in-process executor (TALLY_EXECUTOR=on) runs in worker 1 only;
 * the others reach it over HTTP, as any replica reaches any executor.
 */

/** Set in a worker's environment: its number, from 1. */
const WORKER_ENV = 'TALLY_API_WORKER';

/** A worker that dies this soon after its start, this many times in a row, ends the whole api (a crash loop). */
const EARLY_DEATH_MS = 10_000;
const EARLY_DEATHS = 3;
const METRICS_TIMEOUT_MS = 2_000;

type Message =
  | { tally: 'metrics?'; id: number }
  | { tally: 'metrics!'; id: number; text: string }
  | { tally: 'metrics-json?'; id: number }
  | { tally: 'metrics-json!'; id: number; metrics: MetricObjectWithValues<MetricValue<string>>[] };

const isMessage = (m: unknown): m is Message => typeof m === 'object' && m !== null && typeof (m as { tally?: unknown }).tally === 'string';

/**
 * The primary: prepares what is shared, starts `config.apiProcesses` workers, restarts one that dies,
 * stops them all on SIGTERM. Until its workers start, `guard` (server.ts's) stops the database it opened
 * when the start fails or a signal comes, as in a single api process.
 */
export async function runPrimary(config: Config, log: Logger, guard: StartGuard): Promise<void> {
  const workers = new Map<number, Worker>();
  const earlyDeaths = new Map<number, number>();
  let stopping = false;
  let exitCode = 0;
  let database: DatabaseConnection | undefined;

  if (config.port !== 0) printWhere(config, log, config.port);
  database = await guard.open(config, log, { onLost: (err) => void stop(`the embedded database is gone (${err.message})`, 1) });
  if (database.applied.length > 0) log.info({ applied: database.applied }, 'migrations applied');
  const generated = await ensureBootstrapAdminKey(
    database.db,
    createAccountsRepository(database.db),
    createAuditRepository(database.db),
    config.adminKey,
  );
  if (generated) console.log(`\n  Tally admin key (shown once, store it now): ${generated}\n`);
  // Made here, once: two workers making it at the same moment would each keep a different key.
  loadSecretBox({ secretKey: config.secretKey, previousKeys: config.previousSecretKeys, dataDir: config.dataDir });
  await database.db.destroy();
  const ownerUrl = database.ownerUrl;

  function start(index: number): void {
    const startedAt = Date.now();
    const worker = cluster.fork({
      [WORKER_ENV]: String(index),
      DATABASE_URL: ownerUrl,
      TALLY_EXECUTOR: index === 1 && config.localExecutor ? 'on' : 'off',
    });
    workers.set(index, worker);
    worker.on('message', (m: unknown) => {
      if (isMessage(m) && m.tally === 'metrics?') {
        void gatherMetrics([...workers.values()])
          .then((text) => worker.send({ tally: 'metrics!', id: m.id, text } satisfies Message))
          .catch(() => undefined); // the asking worker is gone: nobody to answer
      }
    });
    worker.on('exit', (code, signal) => {
      workers.delete(index);
      if (stopping) return;
      const early = Date.now() - startedAt < EARLY_DEATH_MS ? (earlyDeaths.get(index) ?? 0) + 1 : 0;
      earlyDeaths.set(index, early);
      if (early >= EARLY_DEATHS) {
        void stop(`api worker ${index} died ${early} times within ${EARLY_DEATH_MS / 1000} s of starting`, 1);
        return;
      }
      log.error({ worker: index, code, signal }, 'an api worker died; starting another');
      setTimeout(() => !stopping && start(index), early > 0 ? 1_000 : 0).unref();
    });
  }

  async function stop(reason: string, code = 0): Promise<void> {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    (code === 0 ? log.info.bind(log) : log.error.bind(log))({ reason }, 'stopping every api worker');
    // Each worker drains within the same grace period (its own timer); after that it is killed.
    const exited = (w: Worker) => new Promise<void>((resolve) => (w.isDead() ? resolve() : w.once('exit', () => resolve())));
    const gone = Promise.all([...workers.values()].map(exited));
    const late = setTimeout(() => {
      for (const w of workers.values()) w.process.kill('SIGKILL');
    }, config.shutdownTimeoutMs + 1_000);
    // The worker with the executor first: stopping, it sends its last usage to the api, so the others
    // keep the port open for it (until it is done, or a quarter of the grace period has passed).
    const first = config.localExecutor ? workers.get(1) : undefined;
    if (first) {
      first.process.kill('SIGTERM');
      await Promise.race([exited(first), sleep(config.shutdownTimeoutMs / 4)]);
    }
    for (const w of workers.values()) if (w !== first) w.process.kill('SIGTERM');
    await gone;
    clearTimeout(late);
    await database?.close().catch((err: unknown) => log.error({ err }, 'could not stop the database cleanly'));
    log.info('stopped');
    process.exit(exitCode);
  }

  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  guard.started();
  log.info({ processes: config.apiProcesses }, 'starting api workers');
  for (let i = 1; i <= config.apiProcesses; i++) start(i);
}

let nextRequest = 0;

/** Sums every live worker's registry (prom-client's aggregator: counters and histograms add up, gauges as each declares). */
async function gatherMetrics(workers: Worker[]): Promise<string> {
  const id = nextRequest++;
  const replies = await Promise.all(
    workers.map(
      (w) =>
        new Promise<MetricObjectWithValues<MetricValue<string>>[] | null>((resolve) => {
          const timer = setTimeout(() => done(null), METRICS_TIMEOUT_MS);
          const onMessage = (m: unknown) => {
            if (isMessage(m) && m.tally === 'metrics-json!' && m.id === id) done(m.metrics);
          };
          function done(value: MetricObjectWithValues<MetricValue<string>>[] | null) {
            clearTimeout(timer);
            w.off('message', onMessage);
            resolve(value);
          }
          w.on('message', onMessage);
          try {
            w.send({ tally: 'metrics-json?', id } satisfies Message);
          } catch {
            done(null);
          }
        }),
    ),
  );
  return AggregatorRegistry.aggregate(replies.filter((r) => r !== null)).metrics();
}

/**
 * In a worker: answers the primary's requests for this registry, and returns what /metrics should
 * serve: the sum over every worker, asked of the primary (a scrape reaches one worker of many).
 */
export function workerMetrics(registry: Registry): () => Promise<string> {
  const pending = new Map<number, (text: string) => void>();
  let next = 0;
  process.on('message', (m: unknown) => {
    if (!isMessage(m)) return;
    if (m.tally === 'metrics-json?') {
      void registry
        .getMetricsAsJSON()
        .then((metrics) => process.send?.({ tally: 'metrics-json!', id: m.id, metrics } satisfies Message))
        .catch(() => undefined); // the primary is gone (and this worker with it)
    } else if (m.tally === 'metrics!') {
      pending.get(m.id)?.(m.text);
      pending.delete(m.id);
    }
  });
  return () =>
    new Promise<string>((resolve) => {
      const id = next++;
      // Without an answer in time (a primary stuck or gone), this worker's own figures rather than nothing.
      const timer = setTimeout(() => {
        pending.delete(id);
        void registry.metrics().then(resolve);
      }, METRICS_TIMEOUT_MS * 2);
      pending.set(id, (text) => {
        clearTimeout(timer);
        resolve(text);
      });
      process.send?.({ tally: 'metrics?', id } satisfies Message);
    });
}

/** This process's number among the api's workers (from 1), or null when it is not one. */
export const workerNumber = (): number | null =>
  cluster.isWorker && process.env[WORKER_ENV] !== undefined ? Number(process.env[WORKER_ENV]) : null;
