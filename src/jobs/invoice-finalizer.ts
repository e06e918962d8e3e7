import cron from 'node-cron';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { periodOf, previousPeriod } from '../lib/period.js';
import type { InvoicesService } from '../modules/invoices/invoices.service.js';
import { cronLogger } from './cron-logger.js';

type FinalizerDeps = { invoices: Pick<InvoicesService, 'run'>; clock: Clock; log: Logger };

/** One tick of the finalizer: finalizes last month's invoices; a failure is logged and left to the next tick. */
export async function finalizeDue(deps: FinalizerDeps): Promise<void> {
  const period = previousPeriod(periodOf(deps.clock.now()));
  try {
    const result = await deps.invoices.run(period, 'system:scheduler');
    if (result.finalized > 0) deps.log.info(result, 'finalized last month\'s invoices');
  } catch (err) {
    deps.log.error({ err, period }, 'invoice run failed; the next tick retries');
  }
}

/**
 * Finalizes last month's invoices shortly after each month starts (UTC). It ticks hourly rather
 * than once, so a process that was down at midnight on the 1st still does it; a run on a month
 * already finalized is cheap, and the invoice run's advisory lock and unique key make concurrent
 * ticks on several api replicas yield one invoice per account and month.
 */
export function scheduleInvoiceFinalizer(deps: FinalizerDeps) {
  const log = deps.log.child({ job: 'invoice-finalizer' });
  const task = cron.schedule('7 * * * *', () => finalizeDue({ ...deps, log }), {
    timezone: 'UTC',
    name: 'invoice-finalizer',
    noOverlap: true,
    logger: cronLogger(log),
  });
  return { stop: () => task.stop() };
}
