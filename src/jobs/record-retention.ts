import type { Logger } from '../lib/logger.js';
import type { RetentionCounts, RetentionService } from '../modules/retention/retention.service.js';
import { scheduleCronJob } from './cron-job.js';

type RecordRetentionDeps = { retention: Pick<RetentionService, 'prune'>; days: number; log: Logger };

/** One pass, logged when it removed anything (or was cut short); a failure is logged by the cron job and waits for the next tick. */
export async function pruneRecords(deps: RecordRetentionDeps, signal?: AbortSignal): Promise<RetentionCounts> {
  const started = performance.now();
  const counts = await deps.retention.prune(deps.days, signal);
  const { batches, stopped, ...removed } = counts;
  if (Object.values(removed).some((n) => n > 0) || stopped) {
    deps.log.info(
      { ...removed, batches, stopped, retentionDays: deps.days, ms: Math.round(performance.now() - started) },
      stopped
        ? 'finished records past their retention removed (stopped before the end; the next pass goes on)'
        : 'finished records past their retention removed',
    );
  }
  return counts;
}

/**
 * Retention of finished records (TALLY_RECORD_RETENTION_DAYS; docs/operations.md, "Record retention"),
 * hourly and once at start. Every api replica runs it: each batch skips the rows another replica's
 * batch holds, so passes at once share the work. `stop()` waits for the batch in flight (a fraction of
 * a second) and starts no other. `expression`: another schedule (tests).
 */
export function scheduleRecordRetention(deps: RecordRetentionDeps & { expression?: string }) {
  const log = deps.log.child({ job: 'record-retention' });
  const job = scheduleCronJob({
    name: 'record-retention',
    expression: deps.expression ?? '43 * * * *',
    log,
    run: async (signal) => void (await pruneRecords({ ...deps, log }, signal)),
  });
  void job.runNow();
  return { stop: job.stop, runNow: job.runNow };
}
