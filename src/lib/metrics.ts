import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { AppError } from './errors.js';

/** One registry per app (tests build many apps in one process), served at /metrics. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tally_' });
  return {
    registry,
    usageEvents: new Counter({
      name: 'tally_usage_events_total',
      help: 'Usage events received, by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    usageQuarantined: new Counter({
      name: 'tally_usage_quarantined_total',
      help: 'Refused usage events reported by executors and stored in the quarantine (each stored once)',
      registers: [registry],
    }),
    usageBatches: new Counter({
      name: 'tally_usage_batches_total',
      help: 'Usage batches stored, by how: one_statement (no invocation stored before), or claiming (a replay among them: written again, claiming each invocation)',
      labelNames: ['write'] as const,
      registers: [registry],
    }),
    usageBatchSeconds: new Histogram({
      name: 'tally_usage_batch_seconds',
      help: 'Time to ingest one usage batch, validation excluded',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    invoiceRunSeconds: new Histogram({
      name: 'tally_invoice_run_seconds',
      help: 'Invoice runs (finalizing a closed month), by outcome',
      labelNames: ['outcome'] as const,
      buckets: [0.05, 0.25, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
      registers: [registry],
    }),
    invoiceRunFailures: new Counter({
      name: 'tally_invoice_run_failures_total',
      help: 'Invoice runs that failed (the scheduler retries the next hour)',
      registers: [registry],
    }),
    invoicesFinalized: new Counter({
      name: 'tally_invoices_finalized_total',
      help: 'Invoices finalized by invoice runs in this process',
      registers: [registry],
    }),
    cacheReads: new Counter({
      name: 'tally_cache_reads_total',
      help: "Database reads of the invoke path's caches (functions, concurrency, qualifiers, urls, keys, access_keys), by how they started: waited (a call waited for it: a miss, or an entry past its life) or ahead (started before the entry expired while it answered)",
      labelNames: ['cache', 'read'] as const,
      registers: [registry],
    }),
    httpRequestSeconds: new Histogram({
      name: 'tally_http_request_seconds',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
    listening: new Gauge({
      name: 'tally_api_listening',
      help: 'Api processes taking requests: 1 per process once it listens (with TALLY_API_PROCESSES, summed over them)',
      registers: [registry],
    }),
    /**
     * What /metrics serves; unset: this registry. A worker of several api processes (TALLY_API_PROCESSES)
     * sets it to the sum over every worker (src/cluster.ts).
     */
    exposition: undefined as undefined | (() => Promise<string>),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Times every invoice run, whoever starts it (the hourly job or POST /v1/invoices/run). A refusal
 * (a month still open: a 4xx) is not a failed run.
 */
// biome-ignore lint/suspicious/noExplicitAny: any invoices service whose run resolves to a count
export function instrumentInvoiceRuns<T extends { run(...args: any[]): Promise<{ finalized: number }> }>(invoices: T, metrics: Metrics): T {
  const run = invoices.run.bind(invoices);
  return {
    ...invoices,
    run: async (...args: Parameters<T['run']>) => {
      const started = performance.now();
      try {
        const result = await run(...args);
        metrics.invoiceRunSeconds.observe({ outcome: 'success' }, (performance.now() - started) / 1000);
        metrics.invoicesFinalized.inc(result.finalized);
        return result;
      } catch (err) {
        if (!(err instanceof AppError && err.statusCode < 500)) {
          metrics.invoiceRunSeconds.observe({ outcome: 'failure' }, (performance.now() - started) / 1000);
          metrics.invoiceRunFailures.inc();
        }
        throw err;
      }
    },
  };
}

/** What the database holds that waits on someone: read at each scrape, shared by every replica. */
export interface Backlog {
  quarantineUnreplayed: number;
  alertDeliveriesPending: number;
  oldestPendingAlertAgeS: number;
}

/**
 * Gauges read from the database when /metrics is scraped. While the database
 * does not answer, `tally_database_up` is 0 and the others keep their last value: a scrape never fails.
 */
export function registerBacklogMetrics(registry: Registry, read: () => Promise<Backlog>, timeoutMs = 2_000): void {
  if (registry.getSingleMetric('tally_database_up')) return;
  // One query per scrape: every gauge of a scrape is collected at once and shares it.
  let inFlight: Promise<Backlog | null> | null = null;
  const sample = () => {
    if (!inFlight) {
      const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), timeoutMs).unref());
      inFlight = Promise.race([read(), timeout])
        .catch(() => null)
        .finally(() => {
          inFlight = null;
        });
    }
    return inFlight;
  };
  // The same figure in every api process: several processes of one api report it once, not summed.
  const gauge = (name: string, help: string, value: (b: Backlog) => number) =>
    new Gauge({
      name,
      help,
      aggregator: 'max',
      registers: [registry],
      async collect() {
        const b = await sample();
        if (b) this.set(value(b));
      },
    });
  new Gauge({
    name: 'tally_database_up',
    help: 'Whether the database answered the last scrape (1) or not (0)',
    aggregator: 'min',
    registers: [registry],
    async collect() {
      this.set((await sample()) ? 1 : 0);
    },
  });
  gauge('tally_usage_quarantine_unreplayed', 'Quarantined usage events not replayed yet (all replicas)', (b) => b.quarantineUnreplayed);
  gauge(
    'tally_alert_deliveries_pending',
    'Budget alert webhooks waiting for delivery or a retry (all replicas)',
    (b) => b.alertDeliveriesPending,
  );
  gauge(
    'tally_alert_delivery_oldest_pending_seconds',
    'Age of the oldest budget alert still waiting for delivery (0 when none)',
    (b) => b.oldestPendingAlertAgeS,
  );
}
