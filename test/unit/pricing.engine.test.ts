import { describe, expect, it } from 'vitest';
import { Money, formatDecimal, formatMoney } from '../../src/lib/money.js';
import {
  AWS_US_EAST_1_2025,
  formatLine,
  priceMonth,
  usageFromWorkloads,
  type MonthUsage,
  type PricedMonth,
  type Workload,
} from '../../src/modules/pricing/pricing.engine.js';

// Every expected value below was worked out by hand from the seeded us-east-1 prices (migrations/0003), never by the engine.

const ON = { freeTier: true };
const OFF = { freeTier: false };

/** Inputs in GB-s are easier to read; 1 GB-s = 1024 MB x 1000 ms. */
function usage(gbSeconds: { x86?: bigint; arm?: bigint; requests?: bigint; ephemeral?: bigint }): MonthUsage {
  return {
    requests: gbSeconds.requests ?? 0n,
    computeMbMs: { x86_64: (gbSeconds.x86 ?? 0n) * 1_024_000n, arm64: (gbSeconds.arm ?? 0n) * 1_024_000n },
    ephemeralMbMs: (gbSeconds.ephemeral ?? 0n) * 1_024_000n,
  };
}

function quote(workloads: Workload[], opts = ON): PricedMonth {
  return priceMonth(usageFromWorkloads(workloads), AWS_US_EAST_1_2025, opts);
}

const lines = (p: PricedMonth) => p.lines.map(formatLine);
const amounts = (p: PricedMonth) => p.lines.map((l) => `${l.description}: ${formatMoney(l.amount)}`);
const total = (p: PricedMonth) => formatMoney(p.total);

const requestsLine = (quantity: string, free: string, billable: string, amount: string) => ({
  kind: 'requests',
  architecture: null,
  tier: null,
  description: 'Requests',
  quantity,
  freeQuantity: free,
  billableQuantity: billable,
  unitPrice: '0.0000002',
  amount,
});

describe('priceMonth: the worked check from the brief', () => {
  const priced = quote([{ architecture: 'x86_64', memoryMb: 512, requests: 3_000_000, durationMs: 1000 }]);

  it('bills 1,100,000 GB-s after the free 400,000 and 2,000,000 requests after the free 1,000,000', () => {
    expect(lines(priced)).toEqual([
      requestsLine('3000000', '1000000', '2000000', '0.40'),
      {
        kind: 'compute',
        architecture: 'x86_64',
        tier: 1,
        description: 'Compute x86_64, tier 1 (first 6,000,000,000 GB-s)',
        quantity: '1500000',
        freeQuantity: '400000',
        billableQuantity: '1100000',
        unitPrice: '0.0000166667',
        amount: '18.33',
      },
    ]);
    expect(formatDecimal(priced.lines[1]!.unroundedAmount)).toBe('18.33337');
    expect(total(priced)).toBe('18.73');
  });

  it('reports the free tier as used up for compute and requests', () => {
    expect(priced.freeTier.requestsUsed).toBe(1_000_000n);
    expect(priced.freeTier.requestsRemaining).toBe(0n);
    expect(formatDecimal(priced.freeTier.gbSecondsUsed)).toBe('400000');
    expect(formatDecimal(priced.freeTier.gbSecondsRemaining)).toBe('0');
  });

  it('with the free tier off bills every request and GB-s: 25.00005 + 0.60', () => {
    const off = quote([{ architecture: 'x86_64', memoryMb: 512, requests: 3_000_000, durationMs: 1000 }], OFF);
    expect(lines(off).map((l) => [l.freeQuantity, l.billableQuantity, l.amount])).toEqual([
      ['0', '3000000', '0.60'],
      ['0', '1500000', '25.00'],
    ]);
    expect(total(off)).toBe('25.60');
    expect(off.freeTier).toEqual({
      requestsUsed: 0n,
      gbSecondsUsed: new Money(0),
      requestsRemaining: 0n,
      gbSecondsRemaining: new Money(0),
    });
  });
});

describe('priceMonth: tier boundaries', () => {
  it('x86_64 at exactly 6e9 GB-s stays in tier 1: 6e9 x 0.0000166667 = 100,000.20', () => {
    const p = priceMonth(usage({ x86: 6_000_000_000n }), AWS_US_EAST_1_2025, OFF);
    expect(amounts(p)).toEqual(['Requests: 0.00', 'Compute x86_64, tier 1 (first 6,000,000,000 GB-s): 100000.20']);
    expect(total(p)).toBe('100000.20');
  });

  it('x86_64 at exactly 6e9 GB-s with the free tier: 5,999,600,000 x 0.0000166667 = 99,993.53332', () => {
    const p = priceMonth(usage({ x86: 6_000_000_000n }), AWS_US_EAST_1_2025, ON);
    expect(formatDecimal(p.lines[1]!.unroundedAmount)).toBe('99993.53332');
    expect(total(p)).toBe('99993.53');
  });

  it('x86_64 at 6e9 + 1 GB-s opens tier 2 with 1 GB-s (0.000015, rounds to 0.00)', () => {
    const p = priceMonth(usage({ x86: 6_000_000_001n }), AWS_US_EAST_1_2025, OFF);
    const tier2 = formatLine(p.lines[2]!);
    expect(tier2).toMatchObject({ tier: 2, description: 'Compute x86_64, tier 2 (next 9,000,000,000 GB-s)' });
    expect(tier2).toMatchObject({ quantity: '1', unitPrice: '0.000015', amount: '0.00' });
    expect(formatDecimal(p.lines[2]!.unroundedAmount)).toBe('0.000015');
    expect(total(p)).toBe('100000.20');
  });

  it('rounds half-up: 1,000 GB-s in x86_64 tier 2 cost 0.015, billed 0.02', () => {
    const p = priceMonth(usage({ x86: 6_000_001_000n }), AWS_US_EAST_1_2025, OFF);
    expect(amounts(p)[2]).toBe('Compute x86_64, tier 2 (next 9,000,000,000 GB-s): 0.02');
    expect(total(p)).toBe('100000.22');
  });

  it('arm64 at exactly 7.5e9 GB-s stays in tier 1: 7.5e9 x 0.0000133334 = 100,000.50', () => {
    const p = priceMonth(usage({ arm: 7_500_000_000n }), AWS_US_EAST_1_2025, OFF);
    expect(amounts(p)).toEqual(['Requests: 0.00', 'Compute arm64, tier 1 (first 7,500,000,000 GB-s): 100000.50']);
  });

  it('x86_64 at 7.5e9 GB-s already spans two tiers (boundaries differ by architecture)', () => {
    const p = priceMonth(usage({ x86: 7_500_000_000n }), AWS_US_EAST_1_2025, OFF);
    expect(amounts(p).slice(1)).toEqual([
      'Compute x86_64, tier 1 (first 6,000,000,000 GB-s): 100000.20',
      'Compute x86_64, tier 2 (next 9,000,000,000 GB-s): 22500.00',
    ]);
    expect(total(p)).toBe('122500.20');
  });

  it('arm64 at exactly 18.75e9 GB-s fills tiers 1 and 2: 100,000.50 + 135,001.125', () => {
    const p = priceMonth(usage({ arm: 18_750_000_000n }), AWS_US_EAST_1_2025, OFF);
    expect(amounts(p).slice(1)).toEqual([
      'Compute arm64, tier 1 (first 7,500,000,000 GB-s): 100000.50',
      'Compute arm64, tier 2 (next 11,250,000,000 GB-s): 135001.13',
    ]);
    expect(total(p)).toBe('235001.63');
  });

  it('arm64 at 20e9 GB-s: the total is the sum of rounded lines (248,335.01), not the rounded sum (248,335.00)', () => {
    const p = priceMonth(usage({ arm: 20_000_000_000n }), AWS_US_EAST_1_2025, OFF);
    expect(lines(p)[3]).toMatchObject({
      description: 'Compute arm64, tier 3 (over 18,750,000,000 GB-s)',
      quantity: '1250000000',
      unitPrice: '0.0000106667',
      amount: '13333.38',
    });
    expect(p.lines.map((l) => formatDecimal(l.unroundedAmount))).toEqual(['0', '100000.5', '135001.125', '13333.375']);
    expect(total(p)).toBe('248335.01');
  });

  it('x86_64 at 20e9 GB-s uses all three tiers: 100,000.20 + 135,000 + 66,667', () => {
    const p = priceMonth(usage({ x86: 20_000_000_000n }), AWS_US_EAST_1_2025, OFF);
    expect(lines(p).map((l) => [l.quantity, l.amount])).toEqual([
      ['0', '0.00'],
      ['6000000000', '100000.20'],
      ['9000000000', '135000.00'],
      ['5000000000', '66667.00'],
    ]);
    expect(total(p)).toBe('301667.20');
  });
});

describe('priceMonth: free tier', () => {
  it('costs nothing when the free tier is larger than the usage (12.5 GB-s, 1,000 requests)', () => {
    const p = quote([{ architecture: 'x86_64', memoryMb: 128, requests: 1000, durationMs: 100 }]);
    expect(lines(p).map((l) => [l.quantity, l.freeQuantity, l.billableQuantity, l.amount])).toEqual([
      ['1000', '1000', '0', '0.00'],
      ['12.5', '12.5', '0', '0.00'],
    ]);
    expect(total(p)).toBe('0.00');
    expect(p.freeTier.requestsRemaining).toBe(999_000n);
    expect(formatDecimal(p.freeTier.gbSecondsRemaining)).toBe('399987.5');
  });

  it('zero usage: one requests line of 0, total 0.00, the whole allowance left', () => {
    const p = priceMonth(usage({}), AWS_US_EAST_1_2025, ON);
    expect(lines(p)).toEqual([requestsLine('0', '0', '0', '0.00')]);
    expect(total(p)).toBe('0.00');
    expect(p.freeTier.requestsUsed).toBe(0n);
    expect(p.freeTier.requestsRemaining).toBe(1_000_000n);
    expect(formatDecimal(p.freeTier.gbSecondsRemaining)).toBe('400000');
  });

  it('goes to x86_64 (0.0000166667) before arm64 (0.0000133334), whatever the workload order', () => {
    // arm64 listed first: 150,000 x 1 s x 2 GB = 300,000 GB-s; x86_64: 200,000 x 1 s x 1 GB = 200,000 GB-s.
    const p = quote([
      { architecture: 'arm64', memoryMb: 2048, requests: 150_000, durationMs: 1000 },
      { architecture: 'x86_64', memoryMb: 1024, requests: 200_000, durationMs: 1000 },
    ]);
    expect(
      lines(p)
        .slice(1)
        .map((l) => [l.architecture, l.quantity, l.freeQuantity, l.billableQuantity, l.amount]),
    ).toEqual([
      ['x86_64', '200000', '200000', '0', '0.00'],
      ['arm64', '300000', '200000', '100000', '1.33'],
    ]);
    // Had arm64 been served first, x86_64 would bill 100,000 x 0.0000166667 = 1.67.
    expect(total(p)).toBe('1.33');
  });

  it('is counted against the highest-priced tier first', () => {
    // 1,000,000 requests of 10,240 MB for 900 s on arm64 = 9e9 GB-s: tier 1 7.5e9 takes all 400,000 free.
    const p = quote([{ architecture: 'arm64', memoryMb: 10_240, requests: 1_000_000, durationMs: 900_000 }]);
    expect(lines(p).map((l) => [l.quantity, l.freeQuantity, l.billableQuantity, l.amount])).toEqual([
      ['1000000', '1000000', '0', '0.00'],
      ['7500000000', '400000', '7499600000', '99995.17'], // 99,995.16664
      ['1500000000', '0', '1500000000', '18000.15'], // 18,000.15 exactly
    ]);
    expect(total(p)).toBe('117995.32');
  });
});

describe('priceMonth: sizes at the extremes', () => {
  it('1 ms invocations at 128 MB are 0.000125 GB-s each', () => {
    const one = quote([{ architecture: 'x86_64', memoryMb: 128, requests: 1, durationMs: 1 }], OFF);
    expect(formatDecimal(one.lines[1]!.quantity)).toBe('0.000125');
    expect(formatDecimal(one.lines[1]!.unroundedAmount)).toBe('0.0000000020833375');
  });

  it('a billion 1 ms invocations at 128 MB: 125,000 GB-s (all free) and 999,000,000 billed requests', () => {
    const on = quote([{ architecture: 'x86_64', memoryMb: 128, requests: 1_000_000_000, durationMs: 1 }]);
    expect(amounts(on)).toEqual(['Requests: 199.80', 'Compute x86_64, tier 1 (first 6,000,000,000 GB-s): 0.00']);
    expect(formatDecimal(on.freeTier.gbSecondsRemaining)).toBe('275000');
    const off = quote([{ architecture: 'x86_64', memoryMb: 128, requests: 1_000_000_000, durationMs: 1 }], OFF);
    expect(amounts(off)).toEqual(['Requests: 200.00', 'Compute x86_64, tier 1 (first 6,000,000,000 GB-s): 2.08']);
    expect(total(off)).toBe('202.08');
  });

  it('10,240 MB for 900 s is 9,000 GB-s a request; 100 of them bill 500,000 GB-s after the free tier', () => {
    const p = quote([{ architecture: 'x86_64', memoryMb: 10_240, requests: 100, durationMs: 900_000 }]);
    expect(lines(p)[1]).toMatchObject({ quantity: '900000', freeQuantity: '400000', billableQuantity: '500000', amount: '8.33' });
    expect(formatDecimal(p.lines[1]!.unroundedAmount)).toBe('8.33335');
    expect(total(p)).toBe('8.33');
  });
});

describe('priceMonth: ephemeral storage', () => {
  it('bills the storage above 512 MB with no free tier: 9,500,000 GB-s x 0.0000000309 = 0.29355', () => {
    // 1,000,000 x 1 s at 10,240 MB storage: (10,240 - 512) MB x 1e9 ms / 1,024,000 = 9,500,000 GB-s.
    const p = quote([{ architecture: 'x86_64', memoryMb: 1024, requests: 1_000_000, durationMs: 1000, ephemeralStorageMb: 10_240 }]);
    expect(lines(p)[2]).toEqual({
      kind: 'ephemeral_storage',
      architecture: null,
      tier: null,
      description: 'Ephemeral storage above 512 MB',
      quantity: '9500000',
      freeQuantity: '0',
      billableQuantity: '9500000',
      unitPrice: '0.0000000309',
      amount: '0.29',
    });
    expect(formatDecimal(p.lines[2]!.unroundedAmount)).toBe('0.29355');
    // compute 1,000,000 GB-s - 400,000 free = 600,000 x 0.0000166667 = 10.00002; requests all free.
    expect(total(p)).toBe('10.29');
  });

  it('has no line when storage is at or below the included 512 MB', () => {
    const p = quote([
      { architecture: 'arm64', memoryMb: 256, requests: 10, durationMs: 5, ephemeralStorageMb: 512 },
      { architecture: 'arm64', memoryMb: 256, requests: 10, durationMs: 5, ephemeralStorageMb: 256 },
    ]);
    expect(p.lines.map((l) => l.kind)).toEqual(['requests', 'compute']);
  });
});

describe('usageFromWorkloads', () => {
  it('rounds each request up to the whole ms before multiplying (999.5 ms -> 1000 ms, 0.2 ms -> 1 ms)', () => {
    const u = usageFromWorkloads([
      { architecture: 'x86_64', memoryMb: 512, requests: 3n, durationMs: 999.5 },
      { architecture: 'arm64', memoryMb: 128, requests: 7, durationMs: 0.2, ephemeralStorageMb: 1024 },
    ]);
    expect(u).toEqual({ requests: 10n, computeMbMs: { x86_64: 1_536_000n, arm64: 896n }, ephemeralMbMs: 3_584n });
  });

  it('stays exact far beyond 2^53 (1e12 requests x 900,000 ms x 10,240 MB)', () => {
    const u = usageFromWorkloads([{ architecture: 'x86_64', memoryMb: 10_240, requests: 1_000_000_000_000n, durationMs: 900_000 }]);
    expect(u.computeMbMs.x86_64).toBe(9_216_000_000_000_000_000_000n);
  });

  it('refuses inputs that cannot be a workload', () => {
    const base: Workload = { architecture: 'x86_64', memoryMb: 128, requests: 1, durationMs: 1 };
    expect(() => usageFromWorkloads([{ ...base, requests: -1 }])).toThrow(RangeError);
    expect(() => usageFromWorkloads([{ ...base, requests: 1.5 }])).toThrow(RangeError);
    expect(() => usageFromWorkloads([{ ...base, memoryMb: 0 }])).toThrow(RangeError);
    expect(() => usageFromWorkloads([{ ...base, durationMs: Number.NaN }])).toThrow(RangeError);
    expect(() => usageFromWorkloads([{ ...base, durationMs: -1 }])).toThrow(RangeError);
  });
});

describe('priceMonth: guards', () => {
  it('refuses negative usage and a catalog whose last tier is bounded', () => {
    expect(() => priceMonth({ ...usage({}), requests: -1n }, AWS_US_EAST_1_2025, ON)).toThrow(RangeError);
    const bounded = {
      ...AWS_US_EAST_1_2025,
      compute: { ...AWS_US_EAST_1_2025.compute, arm64: AWS_US_EAST_1_2025.compute.arm64.slice(0, 2) },
    };
    expect(() => priceMonth(usage({}), bounded, ON)).toThrow(/unbounded/);
  });
});
