import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { InvoicesService } from '../modules/invoices/invoices.service.js';
import { scheduleCronJob } from './cron-job.js';

type FinalizerDeps = { invoices: Pick<InvoicesService, 'run' | 'dueMonths'>; clock: Clock; log: Logger };

/**
 * One tick of the finalizer: runs last month and every earlier month that still has unbilled usage,
 * oldest first. A month that fails is logged and left to the next tick; the others still run. Once
 * `signal` is aborted (the api stops), the month in flight ends at its next page and no other starts.
 */
export async function finalizeDue(deps: FinalizerDeps, signal?: AbortSignal): Promise<void> {
  let months: string[];
  try {
    months = await deps.invoices.dueMonths();
  } catch (err) {
    deps.log.error({ err }, 'finding the months to finalize failed; the next tick retries');
    return;
  }
  for (const period of months) {
    if (signal?.aborted) return;
    try {
      const result = await deps.invoices.run(period, 'system:scheduler', { signal });
      if (result.finalized > 0) deps.log.info(result, 'finalized invoices');
    } catch (err) {
      deps.log.error({ err, period }, 'invoice run failed; the next tick retries');
    }
  }
}

/**
 * Finalizes last month's invoices shortly after each month starts (UTC), and catches up any earlier
 * month left with unbilled usage. It ticks hourly rather than once, so a process that was down at
 * midnight on the 1st still does it; a run on a month already finalized is cheap, and the invoice
 * run's advisory lock and unique key make concurrent ticks on several api replicas yield one invoice
 * per account and month. `expression`: another schedule (tests).
 */
export function scheduleInvoiceFinalizer(deps: FinalizerDeps & { expression?: string }) {
  const log = deps.log.child({ job: 'invoice-finalizer' });
  const job = scheduleCronJob({
    name: 'invoice-finalizer',
    expression: deps.expression ?? '7 * * * *',
    log,
    run: (signal) => finalizeDue({ ...deps, log }, signal),
  });
  return { stop: job.stop };
}
