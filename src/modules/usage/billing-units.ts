import { MAX_BILLED_DURATION_MS, MAX_BILLED_INIT_MS } from '../../contracts/usage.js';
import { Money } from '../../lib/money.js';

/**
 * Billed duration, exactly as DESIGN.md says: ceil(min(duration, 900000) + min(init, 10000)).
 * Decimal arithmetic on the numbers' shortest decimal form, so 999.7 + 0.3 is 1000, not 1000.0000000000001.
 */
export function billedMs(durationMs: number, initDurationMs: number | undefined): string {
  const handler = Money.min(new Money(String(durationMs)), MAX_BILLED_DURATION_MS);
  const init = initDurationMs === undefined ? new Money(0) : Money.min(new Money(String(initDurationMs)), MAX_BILLED_INIT_MS);
  return handler.plus(init).ceil().toFixed(0);
}
