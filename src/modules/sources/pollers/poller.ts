import type { Logger } from '../../../lib/logger.js';
import { type BatchRunner, sleep, Stopped } from '../batch-runner.js';
import type { Mapping } from '../sources.repository.js';

/** What a poller is given by the job that holds its mapping's lease. */
export interface PollerContext {
  mapping: Mapping;
  /** The region the records' `eventSourceARN` (and a Postgres record's `awsRegion`) names: TALLY_REGION. */
  region: string;
  /** The broker URL, opened from its sealed form. */
  url: string;
  /** This replica's lease holder id: names its Redis consumer. */
  holder: string;
  leaseMs: number;
  runner: BatchRunner;
  /** Aborted when the poller must stop: nothing unfinished is acknowledged after this. */
  signal: AbortSignal;
  log: Logger;
  /** Called once the poller is subscribed (the mapping is then Enabled). */
  subscribed(): void;
  lag(n: bigint | null): void;
  report(result: string): void;
  /** Throws when the broker URL now reaches one of the platform's own services (checked before every connection). */
  checkAddress(): Promise<void>;
}

export type Poller = (ctx: PollerContext) => Promise<void>;

/**
 * Runs `session` (connect, subscribe, consume until the connection ends) again and again until the
 * poller is stopped, waiting 0.5 s doubling to 30 s between failed sessions: a broker restart is
 * ridden out, and whatever was not acknowledged is redelivered by the broker.
 */
export async function withReconnect(ctx: PollerContext, session: () => Promise<void>): Promise<void> {
  for (let failures = 0; !ctx.signal.aborted; ) {
    const started = Date.now();
    try {
      await ctx.checkAddress();
      await session();
      if (ctx.signal.aborted || ctx.runner.finishing) return;
      throw new Error('the connection ended');
    } catch (err) {
      // Finishing for a change of the mapping: the poller with the new settings connects, not this one.
      if (ctx.signal.aborted || ctx.runner.finishing || err instanceof Stopped) return;
      if (Date.now() - started > 30_000) failures = 0;
      failures += 1;
      const message = err instanceof Error ? err.message : String(err);
      ctx.log.warn({ err, failures }, 'event source connection failed; reconnecting');
      ctx.report(`PROBLEM: Connection error: ${message.slice(0, 200)}`);
      await sleep(Math.min(30_000, 500 * 2 ** Math.min(6, failures - 1)), ctx.signal).catch(() => {});
    }
  }
}

/** Resolves when the signal aborts. */
export const aborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
