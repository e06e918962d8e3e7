import type { Logger } from '../lib/logger.js';
import type { LogsService } from '../modules/logs/logs.service.js';
import { scheduleCronJob } from './cron-job.js';

type LogUpkeepDeps = { logs: Pick<LogsService, 'maintain'>; log: Logger };

/** One tick: partitions made ahead, expired days dropped, shorter retentions applied; a failure waits for the next tick. */
export async function maintainLogs(deps: LogUpkeepDeps): Promise<void> {
  try {
    await deps.logs.maintain();
  } catch (err) {
    deps.log.error({ err }, 'function log upkeep failed; the next tick retries');
  }
}

/**
 * Function log upkeep, hourly (and once at start): day partitions exist a few days ahead, and what
 * is past its retention goes. Every step is idempotent and the partition functions take an advisory
 * lock, so several api replicas ticking together do the work once. `stop()` waits for the upkeep in
 * flight, the one at start included. `expression`: another schedule (tests).
 */
export function scheduleLogUpkeep(deps: LogUpkeepDeps & { expression?: string }) {
  const log = deps.log.child({ job: 'log-upkeep' });
  const job = scheduleCronJob({
    name: 'log-upkeep',
    expression: deps.expression ?? '17 * * * *',
    log,
    run: () => maintainLogs({ ...deps, log }),
  });
  void job.runNow();
  return { stop: job.stop };
}
