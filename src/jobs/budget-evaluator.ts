import type { Logger } from '../lib/logger.js';
import type { BudgetsService } from '../modules/budgets/budgets.service.js';
import { scheduleCronJob } from './cron-job.js';

/** How often every replica reloads the hard caps from the database (the caps it checks are at most this stale). */
export const CAP_REFRESH_MS = 5_000;

/**
 * Every minute, on one replica (the one whose insert of the minute's tick row wins), evaluates
 * every budget: it catches what the debounced evaluation after ingest missed (a replica that died
 * before its debounce fired) and the forecast moving with time alone. Every replica, leader or
 * not, reloads the hard caps every few seconds, so an invoke on any replica sees a cap set by
 * another one. `stop()` waits for the evaluation and the reload in flight. `expression`: another
 * schedule (tests).
 */
export function scheduleBudgetEvaluation(deps: {
  budgets: Pick<BudgetsService, 'tick' | 'refreshCaps'>;
  log: Logger;
  capRefreshMs?: number;
  expression?: string;
}) {
  const log = deps.log.child({ job: 'budget-evaluator' });
  const job = scheduleCronJob({
    name: 'budget-evaluator',
    expression: deps.expression ?? '* * * * *',
    log,
    run: async (signal) => {
      try {
        const { ran, alerts } = await deps.budgets.tick(signal);
        if (ran && alerts > 0) log.info({ alerts }, 'budget alerts recorded');
      } catch (err) {
        log.error({ err }, 'budget evaluation failed; the next minute retries');
      }
    },
  });
  let refreshing: Promise<void> | null = null;
  const refresher = setInterval(() => {
    refreshing ??= deps.budgets
      .refreshCaps()
      .catch((err) => log.warn({ err }, 'reloading hard caps failed; the caps in memory stay in force'))
      .finally(() => {
        refreshing = null;
      });
  }, deps.capRefreshMs ?? CAP_REFRESH_MS);
  refresher.unref();
  return {
    stop: async () => {
      clearInterval(refresher);
      await Promise.all([job.stop(), refreshing]);
    },
  };
}
