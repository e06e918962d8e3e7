import type { Logger } from '../lib/logger.js';
import type { SchedulesService } from '../modules/schedules/schedules.service.js';

/**
 * The scheduler of one api replica: every `pollMs` it fires the due ticks of the schedules it can
 * lock (SKIP LOCKED; a tick row per schedule and tick makes each fire once across the replicas),
 * straight on while full pages keep coming (a poll during a pass starts none). No timer per
 * schedule: a replica that was down finds what it missed in the table.
 */
export function startScheduler(deps: { schedules: Pick<SchedulesService, 'fireDue'>; log: Logger; pollMs?: number }) {
  const log = deps.log.child({ job: 'scheduler' });
  let stopped = false;
  // The pass in flight, if any: a poll while it runs (a slow or absent database) starts none, rather than
  // queueing one a poll behind it without bound.
  let pass: Promise<void> | null = null;

  async function run(): Promise<void> {
    try {
      while (!stopped && (await deps.schedules.fireDue(50)) >= 50);
    } catch (err) {
      log.error({ err }, 'scheduler pass failed; the next pass retries');
    }
  }

  const timer = setInterval(() => {
    pass ??= run().finally(() => {
      pass = null;
    });
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
