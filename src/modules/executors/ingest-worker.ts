/**
 * The ingest thread's entry (started by `ingest-thread.ts`; see there for why it exists). It holds a
 * database pool of its own and the services an ingest needs, built as the api builds them, and
 * answers one message per batch. What belongs to the api thread goes back with the answer: the
 * usage metrics the batch moved, the accounts whose usage grew (budgets live there), and log entries.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import type { InvocationLogs } from '../../contracts/logs.js';
import type { UsageEvent } from '../../contracts/usage.js';
import { buildServices } from '../../app.js';
import { createDb } from '../../db/database.js';
import { systemClock } from '../../lib/clock.js';
import { loggerOptions } from '../../lib/logger.js';
import type { Principal } from '../accounts/auth.js';
import { createAccountsRepository } from '../accounts/accounts.repository.js';
import { createUsageRepository } from '../usage/usage.repository.js';
import { createUsageService } from '../usage/usage.service.js';
import { ApiError } from '../../../executor/api-client.js';
import { ingestCalls } from './local-ingest.js';
import type { IngestThreadData, IngestReply, IngestRequest, MetricMoves } from './ingest-thread.js';

const port = parentPort;
if (!port) throw new Error('ingest-worker.ts runs as a worker thread (see ingest-thread.ts)');
const data = workerData as IngestThreadData;

// Log entries go to the api thread's logger, one JSON line each.
const logger = pino(loggerOptions(data.logLevel), { write: (line: string) => port.postMessage({ log: line }) });
const db = createDb(data.databaseUrl, { max: data.poolSize, log: logger });
const services = buildServices({
  db,
  clock: systemClock,
  logger,
  adminKey: null,
  billingLookbackMonths: data.billingLookbackMonths,
});

let moves: MetricMoves = { events: {}, batches: {}, seconds: [] };
let ingested = new Set<string>();
const add = (to: Record<string, number>, key: string, n: number) => {
  to[key] = (to[key] ?? 0) + n;
};
/** The usage metrics as the service moves them, sent back with each answer and added to the api's own. */
const metrics = {
  usageEvents: { inc: (labels: { outcome: string }, n = 1) => add(moves.events, labels.outcome, n) },
  usageBatches: { inc: (labels: { write: string }, n = 1) => add(moves.batches, labels.write, n) },
  usageBatchSeconds: {
    startTimer: () => {
      const started = performance.now();
      return () => moves.seconds.push((performance.now() - started) / 1000);
    },
  },
};
const usage = createUsageService({
  repo: createUsageRepository(db),
  accounts: createAccountsRepository(db),
  clock: systemClock,
  metrics,
  log: logger.child({ module: 'usage' }),
  onIngested: (accountIds) => {
    for (const id of accountIds) ingested.add(id);
  },
  dispatch: services.executors,
  billing: { catalogStart: services.pricing.catalogStart, lookbackMonths: data.billingLookbackMonths },
});
const calls = ingestCalls({ usage, logs: services.logs });

async function answer(request: IngestRequest): Promise<IngestReply> {
  moves = { events: {}, batches: {}, seconds: [] };
  ingested = new Set();
  try {
    const result =
      request.kind === 'usage'
        ? await calls.usage(request.principal as Principal, request.batch as UsageEvent[])
        : await calls.logs(request.principal as Principal, request.batch as InvocationLogs[]);
    return { id: request.id, ok: true, result, moves, ingested: [...ingested] };
  } catch (err) {
    const error =
      err instanceof ApiError
        ? { status: err.status, message: err.message, code: err.code, details: err.details }
        : { message: err instanceof Error ? err.message : String(err) };
    return { id: request.id, ok: false, error, moves, ingested: [...ingested] };
  }
}

// One batch at a time, as the reporter sends them (its flushes do not overlap).
let queue: Promise<unknown> = Promise.resolve();
port.on('message', (message: IngestRequest | { close: true }) => {
  if ('close' in message) {
    queue = queue.then(async () => {
      await db.destroy();
      port.close();
    });
    return;
  }
  queue = queue.then(async () => port.postMessage(await answer(message)));
});
