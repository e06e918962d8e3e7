import { MAX_BILLED_DURATION_MS, MAX_BILLED_INIT_MS } from '../../contracts/usage.js';
import { Decimal } from 'decimal.js';

/**
 * JS numbers reach from 5e-324 to 1e12 here (the schema's maximum), so a sum of two of them needs
 * a few hundred significant digits to be exact before it is rounded up.
 */
const Exact = Decimal.clone({ precision: 1000, rounding: Decimal.ROUND_CEIL });

/** Plain decimals with at most 6 fraction digits below 1e9: what executors report (microseconds). */
const SIMPLE = /^(\d{1,9})(?:\.(\d{1,6}))?$/;
const MICRO = 1_000_000;

/** The number's shortest decimal form in millionths, exactly (below 2^53), or null when it is not that simple. */
function micros(n: number): number | null {
  const m = SIMPLE.exec(String(n));
  if (!m) return null;
  return Number(m[1]) * MICRO + (m[2] === undefined ? 0 : Number(m[2].padEnd(6, '0')));
}

/**
 * Billed duration (docs/architecture.md, "Where each rule lives"): ceil(min(duration, 900000) + min(init, 10000)).
 * Decimal arithmetic on the numbers' shortest decimal form, so 999.7 + 0.3 is 1000, not 1000.0000000000001.
 * The usual figures (at most microseconds) are summed as integer millionths, which is the same
 * arithmetic done exactly in a double (every value stays below 2^53); anything else goes through Decimal.
 */
export function billedMs(durationMs: number, initDurationMs: number | undefined): string {
  const handler = micros(durationMs);
  const init = initDurationMs === undefined ? 0 : micros(initDurationMs);
  if (handler !== null && init !== null) {
    const total = Math.min(handler, MAX_BILLED_DURATION_MS * MICRO) + Math.min(init, MAX_BILLED_INIT_MS * MICRO);
    const rest = total % MICRO;
    const whole = (total - rest) / MICRO;
    return String(rest === 0 ? whole : whole + 1);
  }
  const exactHandler = Exact.min(new Exact(String(durationMs)), MAX_BILLED_DURATION_MS);
  const exactInit = initDurationMs === undefined ? new Exact(0) : Exact.min(new Exact(String(initDurationMs)), MAX_BILLED_INIT_MS);
  return exactHandler.plus(exactInit).ceil().toFixed(0);
}
