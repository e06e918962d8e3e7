import cron from 'node-cron';
import type { Logger } from '../lib/logger.js';
import type { LogsService } from '../modules/logs/logs.service.js';
import { cronLogger } from './cron-logger.js';

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
 * lock, so several api replicas ticking together do the work once.
 */
export function scheduleLogUpkeep(deps: LogUpkeepDeps) {
  const log = deps.log.child({ job: 'log-upkeep' });
  const first = maintainLogs({ ...deps, log });
  const task = cron.schedule('17 * * * *', () => maintainLogs({ ...deps, log }), {
    timezone: 'UTC',
    name: 'log-upkeep',
    noOverlap: true,
    logger: cronLogger(log),
  });
  return {
    stop: async () => {
      await first;
      await task.stop();
    },
  };
}
