import cron from 'node-cron';
import type { Logger } from '../lib/logger.js';
import { cronLogger } from './cron-logger.js';

/**
 * A job on a cron schedule (UTC) whose `stop()` waits for the run in flight. node-cron's own stop only
 * clears its timer: a run went on while the shutdown closed the database under it (an invoice run, the
 * log upkeep's delete; docs/operations.md, "Stopping"). Runs never overlap, none starts once `stop()`
 * was called, and `run` gets a signal `stop()` aborts, so that a long run can end at its next safe point
 * (an invoice run between pages): the shutdown waits for it within its own deadline, not for ever.
 */
export function scheduleCronJob(o: { name: string; expression: string; log: Logger; run: (signal: AbortSignal) => Promise<void> }) {
  const stopping = new AbortController();
  let inFlight: Promise<void> | null = null;

  /** Runs now, unless a run is in flight (answers that one) or the job was stopped. */
  function runNow(): Promise<void> {
    if (stopping.signal.aborted) return Promise.resolve();
    inFlight ??= o
      .run(stopping.signal)
      .catch((err: unknown) => o.log.error({ err }, 'scheduled job failed; the next tick retries'))
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  }

  const task = cron.schedule(o.expression, runNow, { timezone: 'UTC', name: o.name, noOverlap: true, logger: cronLogger(o.log) });
  return {
    runNow,
    /** No run starts from now on; resolves once the run in flight, if any, has ended. */
    async stop(): Promise<void> {
      stopping.abort();
      await task.stop();
      await inFlight;
    },
  };
}
