import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { billedMs } from '../../src/modules/usage/billing-units.js';

/** The rule itself, in Decimal on the numbers' shortest decimal form: what the fast path must agree with. */
const Exact = Decimal.clone({ precision: 1000, rounding: Decimal.ROUND_CEIL });
const reference = (d: number, init?: number) =>
  Exact.min(new Exact(String(d)), 900_000)
    .plus(init === undefined ? 0 : Exact.min(new Exact(String(init)), 10_000))
    .ceil()
    .toFixed(0);

describe('billedMs', () => {
  it('rounds the capped sum up to the millisecond, exactly, on the edges', () => {
    expect(billedMs(999.7, 0.3)).toBe('1000');
    expect(billedMs(1.000001, undefined)).toBe('2');
    expect(billedMs(1, undefined)).toBe('1');
    expect(billedMs(0, undefined)).toBe('0');
    expect(billedMs(900_000.5, 10_000.000001)).toBe('910000');
    expect(billedMs(899_999.999999, 0.000001)).toBe('900000');
    expect(billedMs(5e-324, undefined)).toBe('1'); // not a plain decimal: Decimal's path
    expect(billedMs(1e12, 1e-7)).toBe('900001');
  });

  it('agrees with Decimal arithmetic on microsecond figures and on any double', () => {
    const micro = fc.integer({ min: 0, max: 2_000_000_000 }).map((n) => n / 1_000_000);
    const any = fc.double({ min: 0, max: 1e12, noNaN: true });
    fc.assert(
      fc.property(fc.oneof(micro, any), fc.option(fc.oneof(micro, any), { nil: undefined }), (d, init) => {
        expect(billedMs(d, init)).toBe(reference(d, init));
      }),
      { numRuns: 20_000 },
    );
  });
});
