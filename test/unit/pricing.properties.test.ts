import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Money, formatDecimal, mbMsToGbSeconds } from '../../src/lib/money.js';
import {
  ARCHITECTURES,
  AWS_US_EAST_1_2025,
  formatLine,
  priceMonth,
  usageFromWorkloads,
  type Architecture,
  type MonthUsage,
  type PricedMonth,
  type Workload,
} from '../../src/modules/pricing/pricing.engine.js';

const GB_S = 1_024_000n; // MB-ms in one GB-s

// Half the draws stay near the free tier, half reach past the last tier boundary (25e9 GB-s).
const mbMs = fc.oneof(fc.bigInt({ min: 0n, max: 1_000_000n * GB_S }), fc.bigInt({ min: 0n, max: 25_000_000_000n * GB_S }));
const requestCount = fc.oneof(fc.bigInt({ min: 0n, max: 2_000_000n }), fc.bigInt({ min: 0n, max: 100_000_000_000n }));

const monthUsage: fc.Arbitrary<MonthUsage> = fc.record({
  requests: requestCount,
  computeMbMs: fc.record({ x86_64: mbMs, arm64: mbMs }),
  ephemeralMbMs: mbMs,
});

const workload: fc.Arbitrary<Workload> = fc.record({
  architecture: fc.constantFrom<Architecture>(...ARCHITECTURES),
  memoryMb: fc.integer({ min: 128, max: 10_240 }),
  requests: fc.oneof(fc.integer({ min: 0, max: 5_000_000 }), fc.bigInt({ min: 0n, max: 1_000_000_000n })),
  durationMs: fc.oneof(fc.integer({ min: 0, max: 900_000 }), fc.double({ min: 0, max: 900_000, noNaN: true })),
  ephemeralStorageMb: fc.option(fc.integer({ min: 0, max: 10_240 }), { nil: undefined }),
});

const opts = fc.record({ freeTier: fc.boolean() });

const price = (u: MonthUsage, o: { freeTier: boolean }) => priceMonth(u, AWS_US_EAST_1_2025, o);

/** A plain, comparable picture of a priced month (Decimal objects compared by value). */
function snapshot(p: PricedMonth) {
  return {
    lines: p.lines.map((l) => ({ ...formatLine(l), unrounded: formatDecimal(l.unroundedAmount) })),
    total: formatDecimal(p.total),
    freeTier: {
      ...p.freeTier,
      gbSecondsUsed: formatDecimal(p.freeTier.gbSecondsUsed),
      gbSecondsRemaining: formatDecimal(p.freeTier.gbSecondsRemaining),
    },
  };
}

describe('pricing engine properties', () => {
  it('total equals the sum of the rounded line amounts, and every line is rounded to the cent', () => {
    fc.assert(
      fc.property(monthUsage, opts, (u, o) => {
        const p = price(u, o);
        const sum = p.lines.reduce((s, l) => s.plus(l.amount), new Money(0));
        expect(p.total.eq(sum)).toBe(true);
        for (const l of p.lines) {
          expect(l.amount.decimalPlaces()).toBeLessThanOrEqual(2);
          expect(l.amount.minus(l.unroundedAmount).abs().lte('0.005')).toBe(true);
        }
      }),
    );
  });

  it('no quantity or amount is ever negative', () => {
    fc.assert(
      fc.property(monthUsage, opts, (u, o) => {
        for (const l of price(u, o).lines) {
          for (const v of [l.quantity, l.freeQuantity, l.billableQuantity, l.unroundedAmount, l.amount]) {
            expect(v.isNeg() && !v.isZero()).toBe(false);
          }
        }
      }),
    );
  });

  it('billable = quantity - free on every line, and free never exceeds the line quantity', () => {
    fc.assert(
      fc.property(monthUsage, opts, (u, o) => {
        for (const l of price(u, o).lines) {
          expect(l.billableQuantity.eq(l.quantity.minus(l.freeQuantity))).toBe(true);
          expect(l.freeQuantity.lte(l.quantity)).toBe(true);
          expect(l.unroundedAmount.eq(l.billableQuantity.times(l.unitPrice))).toBe(true);
        }
      }),
    );
  });

  it('free quantities never exceed the allowance, and use all of it when usage allows', () => {
    fc.assert(
      fc.property(monthUsage, opts, (u, o) => {
        const p = price(u, o);
        const free = (kind: string) => p.lines.filter((l) => l.kind === kind).reduce((s, l) => s.plus(l.freeQuantity), new Money(0));
        const requestAllowance = o.freeTier ? AWS_US_EAST_1_2025.freeRequests : 0n;
        const gbSecondsAllowance = o.freeTier ? AWS_US_EAST_1_2025.freeGbSeconds : new Money(0);
        const computeGbSeconds = mbMsToGbSeconds(u.computeMbMs.x86_64 + u.computeMbMs.arm64);

        expect(free('requests').eq(Money.min(requestAllowance.toString(), u.requests.toString()))).toBe(true);
        expect(free('compute').eq(Money.min(gbSecondsAllowance, computeGbSeconds))).toBe(true);
        expect(free('ephemeral_storage').isZero()).toBe(true);
        expect(p.freeTier.gbSecondsUsed.eq(free('compute'))).toBe(true);
        expect(p.freeTier.gbSecondsUsed.plus(p.freeTier.gbSecondsRemaining).eq(gbSecondsAllowance)).toBe(true);
        expect(p.freeTier.requestsUsed + p.freeTier.requestsRemaining).toBe(requestAllowance);
      }),
    );
  });

  it('line quantities add back up to the usage', () => {
    fc.assert(
      fc.property(monthUsage, opts, (u, o) => {
        const p = price(u, o);
        for (const arch of ARCHITECTURES) {
          const billed = p.lines.filter((l) => l.architecture === arch).reduce((s, l) => s.plus(l.quantity), new Money(0));
          expect(billed.eq(mbMsToGbSeconds(u.computeMbMs[arch]))).toBe(true);
        }
      }),
    );
  });

  it('more usage never costs less, in each component', () => {
    const grow = (u: MonthUsage, component: number, by: bigint): MonthUsage => ({
      requests: u.requests + (component === 0 ? by : 0n),
      computeMbMs: { x86_64: u.computeMbMs.x86_64 + (component === 1 ? by : 0n), arm64: u.computeMbMs.arm64 + (component === 2 ? by : 0n) },
      ephemeralMbMs: u.ephemeralMbMs + (component === 3 ? by : 0n),
    });
    fc.assert(
      fc.property(monthUsage, opts, fc.integer({ min: 0, max: 3 }), mbMs, (u, o, component, by) => {
        expect(price(grow(u, component, by), o).total.gte(price(u, o).total)).toBe(true);
      }),
    );
  });

  it('the free tier never makes a month cost more', () => {
    fc.assert(
      fc.property(monthUsage, (u) => {
        expect(price(u, { freeTier: true }).total.lte(price(u, { freeTier: false }).total)).toBe(true);
      }),
    );
  });

  it('the order of workloads does not change the priced result', () => {
    const permuted = fc
      .array(workload, { maxLength: 8 })
      .chain((ws) => fc.tuple(fc.constant(ws), fc.shuffledSubarray(ws, { minLength: ws.length, maxLength: ws.length })));
    fc.assert(
      fc.property(permuted, opts, ([ws, shuffled], o) => {
        expect(snapshot(price(usageFromWorkloads(shuffled), o))).toEqual(snapshot(price(usageFromWorkloads(ws), o)));
      }),
    );
  });

  it('a workload priced alone equals the same workload split into two request batches', () => {
    fc.assert(
      fc.property(workload, fc.nat({ max: 1_000_000 }), opts, (w, part, o) => {
        const n = BigInt(w.requests);
        const first = BigInt(part) > n ? n : BigInt(part);
        const split = [
          { ...w, requests: first },
          { ...w, requests: n - first },
        ];
        expect(snapshot(price(usageFromWorkloads(split), o))).toEqual(snapshot(price(usageFromWorkloads([w]), o)));
      }),
    );
  });
});
