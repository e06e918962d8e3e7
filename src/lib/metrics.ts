import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
    usageBatchSeconds: new Histogram({
      name: 'tally_usage_batch_seconds',
      help: 'Time to ingest one usage batch, validation excluded',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    httpRequestSeconds: new Histogram({
      name: 'tally_http_request_seconds',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
