import { Worker } from 'node:worker_threads';
import { ApiError } from '../../../executor/api-client.js';
import type { InvocationLogs, LogIngestResult } from '../../contracts/logs.js';
import type { IngestResult, UsageEvent } from '../../contracts/usage.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import type { Principal } from '../accounts/auth.js';
import type { IngestCalls } from './local-ingest.js';

/** What the ingest thread is started with. */
export interface IngestThreadData {
  /** The api's own connection string (its least-privileged role). */
  databaseUrl: string;
  poolSize: number;
  logLevel: string;
  billingLookbackMonths: number;
}

export interface IngestRequest {
  id: number;
  kind: 'usage' | 'logs';
  principal: Principal;
  batch: UsageEvent[] | InvocationLogs[];
}

/** What a batch moved in the usage metrics: counts by label, and each batch's seconds. */
export interface MetricMoves {
  events: Record<string, number>;
  batches: Record<string, number>;
  seconds: number[];
}

export type IngestReply = { id: number; moves: MetricMoves; ingested: string[] } & (
  | { ok: true; result: IngestResult | LogIngestResult }
  | { ok: false; error: { status?: number; message: string; code?: string | null; details?: unknown } }
);

export interface IngestThreadOptions extends IngestThreadData {
  log: Logger;
  /** The api's metrics: the usage counters the thread's batches moved are added here. */
  metrics: Pick<Metrics, 'usageEvents' | 'usageBatches' | 'usageBatchSeconds'>;
  /** The api's budgets, told which accounts got new usage (as the usage service tells them on this thread). */
  onIngested?: (accountIds: string[]) => void;
}

/**
 * The in-process executor's ingest on a thread of its own (docs/performance.md, "The in-process
 * ingest on a thread of its own"). Each second the executor's reporter hands the api a second's usage
 * records and log lines; checking them, turning them into the statement's parameters and reading
 * node-postgres's answers held the api's event loop for 2-8 ms at a time, about 15 % of its work under
 * load, while invocations waited behind it. Here the api thread only hands the parsed batch over
 * (a structured copy) and takes the answer back; the thread checks and stores it with a database pool
 * of its own, through the same services, so what it stores and how it refuses are the routes' own.
 * One batch is in flight at a time (the reporter's flushes do not overlap). If the thread dies, the
 * batches in flight fail (the reporter keeps them spooled and sends them again; ingest is idempotent)
 * and the next batch starts a new thread.
 */
export function startIngestThread(options: IngestThreadOptions): IngestCalls & { close(): Promise<void> } {
  const { log, metrics, onIngested, ...data } = options;
  let worker: Worker | null = null;
  let nextId = 1;
  let closing = false;
  const pending = new Map<number, { resolve: (r: IngestResult | LogIngestResult) => void; reject: (err: unknown) => void }>();

  function failAll(err: Error): void {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  }

  function started(): Worker {
    if (worker) return worker;
    const w = fromSource
      ? new Worker(tsxBootstrap(), { eval: true, workerData: data satisfies IngestThreadData })
      : new Worker(new URL('./ingest-worker.js', import.meta.url), { workerData: data satisfies IngestThreadData });
    w.on('message', (message: IngestReply | { log: string }) => {
      if ('log' in message) relayLog(log, message.log);
      else settle(message);
    });
    w.on('error', (err) => {
      log.error({ err: err.message }, 'the ingest thread failed; its batches in flight are sent again');
      failAll(err);
    });
    w.on('exit', (code) => {
      if (worker === w) worker = null;
      if (!closing && code !== 0) log.warn({ code }, 'the ingest thread exited; the next batch starts a new one');
      failAll(new Error(`the ingest thread exited (${code})`));
    });
    // The api process may end while it idles (the executor's stop closes it first).
    w.unref();
    worker = w;
    return w;
  }

  function settle(reply: IngestReply): void {
    for (const [outcome, n] of Object.entries(reply.moves.events)) metrics.usageEvents.inc({ outcome }, n);
    for (const [write, n] of Object.entries(reply.moves.batches)) metrics.usageBatches.inc({ write }, n);
    for (const s of reply.moves.seconds) metrics.usageBatchSeconds.observe(s);
    if (reply.ingested.length > 0) onIngested?.(reply.ingested);
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    if (reply.ok) waiting.resolve(reply.result);
    else {
      const e = reply.error;
      waiting.reject(e.status === undefined ? new Error(e.message) : new ApiError(e.status, e.message, e.code ?? null, e.details));
    }
  }

  function send<T extends IngestResult | LogIngestResult>(
    kind: IngestRequest['kind'],
    principal: Principal,
    batch: IngestRequest['batch'],
  ) {
    if (closing) return Promise.reject(new Error('the ingest thread is closed'));
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (r: IngestResult | LogIngestResult) => void, reject });
      started().postMessage({ id, kind, principal, batch } satisfies IngestRequest);
    });
  }

  return {
    usage: (principal, events) => send<IngestResult>('usage', principal, events),
    logs: (principal, invocations) => send<LogIngestResult>('logs', principal, invocations),
    /** Lets the batch in flight finish, closes the thread's pool, and ends it (at once after 5 s). */
    async close() {
      closing = true;
      const w = worker;
      if (!w) return;
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
      w.postMessage({ close: true });
      const late = setTimeout(() => void w.terminate(), 5_000);
      await exited;
      clearTimeout(late);
    },
  };
}

/** Run from source (`npm start` is tsx): the worker's module is TypeScript too. Built: JavaScript beside this file. */
const fromSource = import.meta.url.endsWith('.ts');

/**
 * A worker thread does not inherit tsx's loader (not from tsx's command, nor through `execArgv` on Node 20), so from
 * source the thread registers it first and then imports its module.
 */
function tsxBootstrap(): string {
  const api = typeof import.meta.resolve === 'function' ? import.meta.resolve('tsx/esm/api') : 'tsx/esm/api';
  const worker = new URL('./ingest-worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(worker)}); });`;
}

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** A pino line from the thread, written again by the api's logger (its format, its destination). */
function relayLog(log: Logger, line: string): void {
  try {
    const { level, msg, time: _time, pid: _pid, hostname: _hostname, ...fields } = JSON.parse(line) as Record<string, unknown>;
    const name = LEVEL_NAMES[level as number] ?? 'info';
    if (!LEVELS.has(name)) return;
    log[name as 'info']({ ...fields, thread: 'ingest' }, typeof msg === 'string' ? msg : '');
  } catch {
    log.warn({ line: line.slice(0, 500) }, 'unreadable log line from the ingest thread');
  }
}
