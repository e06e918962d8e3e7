import type { Logger } from '../lib/logger.js';
import type { ClaimedEvent } from '../modules/async/async.repository.js';
import type { AsyncService } from '../modules/async/async.service.js';

export interface AsyncWorkerOptions {
  /** Most events this replica runs at once (TALLY_ASYNC_CONCURRENCY). */
  concurrency?: number;
  /** How often the queue is looked at when nothing woke the worker (events queued on other replicas, retries falling due). */
  pollMs?: number;
  /** How often destination webhooks are looked for. */
  deliveryPollMs?: number;
}

/**
 * The async worker of one api replica: claims due events (SKIP LOCKED: every replica shares the
 * queue) while it has room, runs each through the invoke path, renews the claims of the events it
 * runs, and delivers destination webhooks. An event queued on this replica wakes it at once; the
 * poll finds the rest. `stop()` waits for the events in flight (bounded by the caller), renewing their claims.
 */
export function startAsyncWorker(deps: { events: AsyncService; log: Logger; options?: AsyncWorkerOptions }) {
  const log = deps.log.child({ job: 'async-worker' });
  const { events } = deps;
  const max = deps.options?.concurrency ?? 16;
  const running = new Map<string, { event: ClaimedEvent; done: Promise<void> }>();
  let claiming = false;
  let again = false;
  let backlog = false;
  let stopped = false;
  /** The claiming loop under way: stop() waits for it, since the events its claim brings back run here too. */
  let pass: Promise<void> = Promise.resolve();

  function pump(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (claiming) {
      again = true;
      return pass;
    }
    claiming = true;
    pass = claimWhileRoom();
    return pass;
  }

  async function claimWhileRoom(): Promise<void> {
    try {
      do {
        again = false;
        const room = max - running.size;
        if (room <= 0) {
          backlog = true;
          break;
        }
        const claimed = await events.claim(Math.min(room, 100));
        backlog = claimed.length === Math.min(room, 100);
        for (const event of claimed) {
          const done = events
            .run(event)
            .catch((err: unknown) => {
              // Its outcome could not be written (the database away, say): the claim runs out and another run takes the event.
              log.error(
                { err, eventId: event.id },
                'an async event ran but its outcome could not be recorded; it runs again after its lease',
              );
            })
            .finally(() => {
              running.delete(event.claimId);
              if (backlog) void pump();
            });
          running.set(event.claimId, { event, done });
        }
        if (backlog) again = true;
      } while (again && !stopped);
    } catch (err) {
      log.error({ err }, 'claiming async events failed; the next poll retries');
    } finally {
      claiming = false;
    }
  }

  events.onQueued(() => void pump());
  const poll = setInterval(() => void pump(), deps.options?.pollMs ?? 500);
  poll.unref();
  const renew = setInterval(
    () => {
      if (running.size === 0) return;
      events.renew([...running.values()].map((r) => r.event)).catch((err: unknown) => log.warn({ err }, 'renewing async claims failed'));
    },
    Math.max(50, Math.floor(events.leaseMs / 3)),
  );
  renew.unref();

  let delivering: Promise<void> = Promise.resolve();
  const deliveries = setInterval(() => {
    delivering = delivering.then(async () => {
      try {
        for (;;) {
          const r = await events.deliverDue(20);
          if (stopped || r.attempted < 20) break;
        }
      } catch (err) {
        log.error({ err }, 'destination webhook pass failed; the next pass retries');
      }
    });
  }, deps.options?.deliveryPollMs ?? 1_000);
  deliveries.unref();
  void pump();

  return {
    /** Looks at the queue now (tests, and after a schedule pass queued events). */
    pump,
    inFlight: () => running.size,
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(poll);
      clearInterval(deliveries);
      events.onQueued(() => {});
      // A claim on its way to the database when stop() was called brings back events that run here: wait for it,
      // so that they are among those waited for below.
      await pass;
      // The claims of events still running are renewed until they end: a lease running out during the
      // drain would let another replica run the event a second time.
      await Promise.all([...running.values()].map((r) => r.done));
      clearInterval(renew);
      await delivering;
    },
  };
}

export type AsyncWorker = ReturnType<typeof startAsyncWorker>;
