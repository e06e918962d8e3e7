import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import { AppError, errors } from '../../lib/errors.js';

// Any logger and type provider: the api's instance carries its own.
// biome-ignore lint/suspicious/noExplicitAny: the plugin works on any server, logger and type provider
type AnyFastify = FastifyInstance<any, any, any, any, any>;

export interface LoadSheddingOptions {
  /** Mean event-loop delay (ms) over a sample above which requests are refused; 0: not checked. */
  maxEventLoopDelayMs?: number;
  /** V8 heap in use (bytes) above which requests are refused; 0: not checked. */
  maxHeapUsedBytes?: number;
  sampleIntervalMs?: number;
  /** What Retry-After tells a refused client, seconds. */
  retryAfterS?: number;
}

const NEVER_SHED = new Set(['/healthz']);

/** The error @fastify/under-pressure raises, in the api's shape: 503 OVERLOADED (it sets Retry-After). */
class Overloaded extends AppError {
  constructor() {
    const e = errors.overloaded();
    super(e.code, e.statusCode, e.message);
  }
}

/**
 * An overloaded api process answers at once with 503 OVERLOADED and Retry-After instead of letting
 * requests queue into timeouts: a load balancer or client moves on to a replica that has room.
 * Measured by @fastify/under-pressure on the event loop's delay (a process whose loop lags by
 * hundreds of milliseconds serves everyone late) and optionally on heap use. /healthz is never shed:
 * the process is alive, only busy. Off unless configured (server.ts turns it on from the environment).
 */
export async function installLoadShedding(app: AnyFastify, options: LoadSheddingOptions | undefined): Promise<void> {
  if (!options) return;
  const maxEventLoopDelay = options.maxEventLoopDelayMs ?? 0;
  const maxHeapUsedBytes = options.maxHeapUsedBytes ?? 0;
  if (maxEventLoopDelay <= 0 && maxHeapUsedBytes <= 0) return;
  app.addHook('onRoute', (route) => {
    // A handler that answers nothing lets the request through (under-pressure reads it from the route's config).
    if (NEVER_SHED.has(route.url)) route.config = { ...route.config, pressureHandler: () => undefined } as typeof route.config;
  });
  await app.register(underPressure, {
    ...(maxEventLoopDelay > 0 ? { maxEventLoopDelay } : {}),
    ...(maxHeapUsedBytes > 0 ? { maxHeapUsedBytes } : {}),
    sampleInterval: options.sampleIntervalMs ?? 1_000,
    retryAfter: options.retryAfterS ?? 2,
    customError: Overloaded,
  });
}
