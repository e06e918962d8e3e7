import { Decimal } from 'decimal.js';

/**
 * The one Decimal constructor for money and usage quantities. Precision is far above anything a
 * bill needs (GB-s totals in the billions times 10-digit unit prices), so no intermediate result
 * is ever rounded; rounding happens once, per invoice line, in `roundCents`.
 */
export const Money = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -60, toExpPos: 60 });
export type Money = InstanceType<typeof Money>;

export const ZERO = new Money(0);

/** MB-ms to GB-s: GB-s = MB-ms / 1024 / 1000, exact (1024000 divides into a finite decimal). */
export function mbMsToGbSeconds(mbMs: bigint | string): Money {
  return new Money(mbMs.toString()).div(1_024_000);
}

/** Half-up to the cent: the only rounding money ever sees. */
export function roundCents(amount: Money): Money {
  return amount.toDecimalPlaces(2, Money.ROUND_HALF_UP);
}

/** Money on the wire: a string with fixed decimals, never exponent notation. */
export function formatMoney(amount: Money, decimals = 2): string {
  return amount.toFixed(decimals);
}

/** `part` as a percentage of `whole`, two decimals on the wire (budgets' spend against their amount). */
export function formatPercent(part: Money, whole: Money): string {
  return part.times(100).div(whole).toFixed(2);
}

/** A quantity or unit price on the wire: exact, no trailing-zero noise, never exponent notation. */
export function formatDecimal(value: Money): string {
  const s = value.toFixed();
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/**
 * Whether a non-negative decimal fits a SQL numeric(precision, scale) column without being rounded:
 * at most `scale` decimals (trailing zeros do not count) and `precision - scale` digits before the point.
 */
export function fitsNumeric(value: Money, precision: number, scale: number): boolean {
  const whole = value.abs().trunc();
  return value.decimalPlaces() <= scale && (whole.isZero() || whole.toFixed().length <= precision - scale);
}
