import type { Logger } from '../lib/logger.js';
import type { SchedulesService } from '../modules/schedules/schedules.service.js';

/**
 * The scheduler of one api replica: every `pollMs` it fires the due ticks of the schedules it can
 * lock (SKIP LOCKED; a tick row per schedule and tick makes each fire once across the replicas),
 * straight on while full pages keep coming. No timer per schedule: a replica that was down finds
 * what it missed in the table.
 */
export function startScheduler(deps: { schedules: Pick<SchedulesService, 'fireDue'>; log: Logger; pollMs?: number }) {
  const log = deps.log.child({ job: 'scheduler' });
  let stopped = false;
  let pass: Promise<void> = Promise.resolve();

  async function run(): Promise<void> {
    try {
      while (!stopped && (await deps.schedules.fireDue(50)) >= 50);
    } catch (err) {
      log.error({ err }, 'scheduler pass failed; the next pass retries');
    }
  }

  const timer = setInterval(() => {
    pass = pass.then(run);
  }, deps.pollMs ?? 1_000);
  timer.unref();
  return {
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await pass;
    },
  };
}
