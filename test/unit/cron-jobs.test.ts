import { afterEach, describe, expect, it } from 'vitest';
import { scheduleBudgetEvaluation } from '../../src/jobs/budget-evaluator.js';
import { scheduleInvoiceFinalizer } from '../../src/jobs/invoice-finalizer.js';
import { scheduleLogUpkeep } from '../../src/jobs/log-retention.js';
import { startScheduler } from '../../src/jobs/scheduler.js';
import { systemClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';

/*
 * The scheduled jobs (src/jobs/) against docs/operations.md, "Stopping": stop() waits for the run in
 * flight, and no run starts once stop() was called. Found by the operations review (2026-12-07):
 * node-cron's stop() only cleared its timer, so the shutdown closed the database under a running
 * invoice run. Each job here ticks every second, and its run is held in flight until the test lets it go.
 */
const EVERY_SECOND = '* * * * * *';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A run that stays in flight until `release()`; `started` counts the runs begun. */
function heldRun() {
  let release: () => void = () => {};
  const held = { started: 0, running: false, release: () => release() };
  const run = async () => {
    held.started++;
    held.running = true;
    await new Promise<void>((r) => {
      release = r;
    });
    held.running = false;
  };
  return { held, run };
}

async function waitUntil(cond: () => boolean, what: string, ms = 5_000): Promise<void> {
  for (const end = Date.now() + ms; !cond(); await sleep(10)) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
}

/** A budgets service whose evaluation tick is `run`. */
const budgetsTicking = (run: () => Promise<void>) => ({
  tick: async () => {
    await run();
    return { ran: true, alerts: 0 };
  },
  refreshCaps: async () => {},
});

/** A logs service whose upkeep is `run`. */
const logsMaintaining = (run: () => Promise<void>) => ({
  maintain: async () => {
    await run();
    return { created: [], dropped: [], deleted: 0 };
  },
});

/** Whether `p` settled within `ms`. */
const settlesWithin = (p: Promise<unknown>, ms: number) =>
  Promise.race([
    p.then(
      () => true,
      () => true,
    ),
    sleep(ms).then(() => false),
  ]);

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** Stops a job the way the shutdown does, checking that it waits for the held run and starts none after. */
async function expectStopWaits(job: { stop(): Promise<unknown> }, held: ReturnType<typeof heldRun>['held']): Promise<void> {
  await waitUntil(() => held.running, 'a run in flight');
  const stopped = job.stop();
  expect(await settlesWithin(stopped, 300), 'stop() returned while its run was in flight').toBe(false);
  held.release();
  expect(await settlesWithin(stopped, 2_000)).toBe(true);
  expect(held.running).toBe(false);
  const runs = held.started;
  await sleep(1_500); // a tick a second: one or two would have come
  expect(held.started, 'a run started after stop()').toBe(runs);
}

describe('scheduled jobs stop after their run in flight', () => {
  it('invoice finalizer: stop() waits for the month being run, signals it to end between pages, and runs no further month', async () => {
    const { held, run } = heldRun();
    const signals: AbortSignal[] = [];
    const periods: string[] = [];
    const invoices = {
      dueMonths: async () => ['2026-09', '2026-10'],
      run: async (period: string, _actor: string, opts?: { signal?: AbortSignal }) => {
        periods.push(period);
        if (opts?.signal) signals.push(opts.signal);
        await run();
        return { period, finalized: 0, alreadyFinalized: 0, total: '0.00' };
      },
    };
    const job = scheduleInvoiceFinalizer({ invoices, clock: systemClock, log: silentLogger(), expression: EVERY_SECOND });
    cleanups.push(
      () => held.release(),
      () => job.stop(),
    );
    await waitUntil(() => held.running, 'the first run');
    expect(signals).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(false);
    await expectStopWaits(job, held);
    expect(signals[0]!.aborted).toBe(true);
    // The tick ends with the month in flight: 2026-10 waits for the next start.
    expect(periods).toEqual(['2026-09']);
  });

  it('log upkeep: stop() waits for the upkeep in flight (the one at start, or a tick), and starts none after', async () => {
    const { held, run } = heldRun();
    const job = scheduleLogUpkeep({ logs: logsMaintaining(run), log: silentLogger(), expression: EVERY_SECOND });
    cleanups.push(
      () => held.release(),
      () => job.stop(),
    );
    // The upkeep at start, then a tick.
    await waitUntil(() => held.running, 'the upkeep at start');
    held.release();
    await waitUntil(() => held.started === 2 && held.running, 'a tick', 3_000);
    await expectStopWaits(job, held);
  });

  it('budget evaluation: stop() waits for the tick in flight', async () => {
    const { held, run } = heldRun();
    const job = scheduleBudgetEvaluation({ budgets: budgetsTicking(run), log: silentLogger(), expression: EVERY_SECOND });
    cleanups.push(
      () => held.release(),
      () => job.stop(),
    );
    await expectStopWaits(job, held);
  });

  it('budget evaluation: its tick is told to stop (between pages of accounts), so a long pass does not hold the stop', async () => {
    let ticks = 0;
    let stopSeen = false;
    const budgets = {
      // A pass that would go on for ever unless told to stop, as evaluateAll's loop over pages does.
      tick: async (signal?: AbortSignal) => {
        ticks++;
        while (!signal?.aborted) await sleep(10);
        stopSeen = true;
        return { ran: true, alerts: 0 };
      },
      refreshCaps: async () => {},
    };
    const job = scheduleBudgetEvaluation({ budgets, log: silentLogger(), expression: EVERY_SECOND });
    cleanups.push(() => job.stop());
    await waitUntil(() => ticks === 1, 'a tick', 3_000);
    expect(await settlesWithin(job.stop(), 1_000)).toBe(true);
    expect(stopSeen).toBe(true);
  });

  it('a job stopped between runs stops at once', async () => {
    const { held, run } = heldRun();
    const job = scheduleBudgetEvaluation({
      budgets: budgetsTicking(run),
      log: silentLogger(),
      expression: '0 0 1 1 *',
    });
    expect(await settlesWithin(job.stop(), 100)).toBe(true);
    expect(held.started).toBe(0);
  });
});

// Found by the operations review on 2026-12-08: the scheduler chained a pass onto the one in flight at every poll,
// whatever its length. While the database hung or was down (each pass waiting up to its 5 s connection timeout, or a
// statement its 30 s), a pass a second piled up without bound, and once it answered they all ran back to back.
describe('the schedules poller', () => {
  it('starts no pass while one is in flight: a slow database does not queue a pass per poll', async () => {
    let calls = 0;
    let release: () => void = () => {};
    let hang = true;
    const scheduler = startScheduler({
      schedules: {
        fireDue: async () => {
          calls++;
          if (hang) await new Promise<void>((r) => (release = r));
          return 0;
        },
      },
      log: silentLogger(),
      pollMs: 10,
    });
    cleanups.push(() => scheduler.stop());
    await waitUntil(() => calls === 1, 'the first pass');
    await sleep(500); // about 50 polls while the pass hangs
    hang = false;
    release();
    await sleep(25);
    // One pass per poll from now on: two or three here, not the fifty that queued behind the slow one.
    expect(calls).toBeLessThan(6);
  });
});
