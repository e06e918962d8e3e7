import type { Logger } from './logger.js';

/**
 * Runs the steps of a shutdown in order within one deadline. A step that does not finish in its
 * time (a database that no longer answers, a client that keeps its connection open) is logged and
 * left behind, so the process always ends within its grace period; `onOverrun` gets a chance to cut
 * it short first (closing every connection, say).
 */
export function createShutdown(log: Pick<Logger, 'warn'>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let overran = false;
  const left = () => Math.max(0, deadline - Date.now());

  async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    try {
      return await Promise.race([
        work.then(
          () => true,
          () => true,
        ),
        late,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    left,
    /** Whether every step finished in its time. */
    get clean() {
      return !overran;
    },
    /** Runs one step for at most `ms` (the time left by default), then `onOverrun` for at most one more second. */
    async step(name: string, run: () => Promise<unknown> | undefined, opts: { ms?: number; onOverrun?: () => void } = {}): Promise<void> {
      const work = Promise.resolve().then(run);
      if (await within(work, Math.min(opts.ms ?? Infinity, left()))) return;
      overran = true;
      log.warn({ step: name }, 'shutdown: step overran its time');
      if (opts.onOverrun) {
        opts.onOverrun();
        await within(work, Math.min(1_000, left()));
      }
    },
  };
}
