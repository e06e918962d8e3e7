/**
 * When an asynchronous invocation runs again (docs/events.md, "Retries"), as Lambda does:
 * - after a function error or timeout: about `baseMs` (1 minute by default), then about twice that,
 *   with ±15 % jitter so that events which failed together do not all return together;
 * - after a throttle or a system error (refused before it ran: 429, 5xx): from `baseMs / 60`
 *   (1 s by default) doubling up to `5 × baseMs` (5 minutes), jittered, without using an attempt,
 *   for as long as the event's age allows;
 * - while a hard budget cap holds the account: every CAP_RECHECK_MS, until the cap lifts or the event
 *   expires.
 */
export const DEFAULT_RETRY_BASE_MS = 60_000;
/** The replicas reload hard caps every 5 s: looking again sooner would find the same cap. */
export const CAP_RECHECK_MS = 5_000;

const jitter = (ms: number, random: () => number) => Math.round(ms * (0.85 + 0.3 * random()));

/** Delay before retry `retry` (1 or 2) after a function error or timeout. */
export function errorRetryDelayMs(baseMs: number, retry: number, random: () => number = Math.random): number {
  return jitter(baseMs * 2 ** (retry - 1), random);
}

/** Delay after the `throttles`-th refusal (1, 2, ...) before the event is offered again. */
export function throttleDelayMs(baseMs: number, throttles: number, random: () => number = Math.random): number {
  const first = Math.max(1, baseMs / 60);
  return jitter(Math.min(5 * baseMs, first * 2 ** Math.min(30, throttles - 1)), random);
}
