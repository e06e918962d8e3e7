import { MAX_BILLED_DURATION_MS, MAX_BILLED_INIT_MS } from '../../contracts/usage.js';
import { Decimal } from 'decimal.js';

/**
 * JS numbers reach from 5e-324 to 1e12 here (the schema's maximum), so a sum of two of them needs
 * a few hundred significant digits to be exact before it is rounded up.
 */
const Exact = Decimal.clone({ precision: 1000, rounding: Decimal.ROUND_CEIL });

/**
 * Billed duration (docs/architecture.md, "Where each rule lives"): ceil(min(duration, 900000) + min(init, 10000)).
 * Decimal arithmetic on the numbers' shortest decimal form, so 999.7 + 0.3 is 1000, not 1000.0000000000001.
 */
export function billedMs(durationMs: number, initDurationMs: number | undefined): string {
  const handler = Exact.min(new Exact(String(durationMs)), MAX_BILLED_DURATION_MS);
  const init = initDurationMs === undefined ? new Exact(0) : Exact.min(new Exact(String(initDurationMs)), MAX_BILLED_INIT_MS);
  return handler.plus(init).ceil().toFixed(0);
}
