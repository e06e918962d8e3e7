import type { Logger } from '../lib/logger.js';
import type { AlertsService } from '../modules/budgets/alerts.service.js';

/**
 * The webhook delivery worker, one per api replica: every `intervalMs` it delivers what is due
 * (SKIP LOCKED shares the rows between replicas), straight on while full pages keep coming.
 * `stop()` waits for the pass in flight, bounded by the webhook timeout.
 */
export function startAlertDelivery(deps: { alerts: Pick<AlertsService, 'deliverDue'>; log: Logger; intervalMs?: number; batch?: number }) {
  const log = deps.log.child({ job: 'budget-alerts' });
  const batch = deps.batch ?? 20;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let pass: Promise<void> = Promise.resolve();

  async function run(): Promise<void> {
    try {
      for (;;) {
        const r = await deps.alerts.deliverDue(batch);
        if (r.failed > 0) log.warn({ failed: r.failed }, 'alert deliveries given up after 3 days');
        if (stopped || r.attempted < batch) break;
      }
    } catch (err) {
      log.error({ err }, 'alert delivery pass failed; the next pass retries');
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      pass = run().finally(schedule);
    }, deps.intervalMs ?? 1_000);
    timer.unref();
  }

  schedule();
  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await pass;
    },
  };
}
