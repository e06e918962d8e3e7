/**
 * The pricing engine: one month of usage + one price version -> invoice lines. Pure (no I/O, no
 * clock), so the invoice job, the month-to-date cost and the quote calculator all price the same
 * way. All money and quantities are `Money` (Decimal); usage counters are exact bigints.
 */
import { Money, ZERO, formatDecimal, formatMoney, mbMsToGbSeconds, roundCents } from '../../lib/money.js';

export type Architecture = 'x86_64' | 'arm64';
export const ARCHITECTURES: readonly Architecture[] = ['x86_64', 'arm64'];

/** `upToGbSeconds` is the cumulative upper bound of the tier in GB-s per month; null = unbounded (last tier). */
export interface PriceTier {
  upToGbSeconds: Money | null;
  unitPrice: Money;
}

export interface PriceVersion {
  id: string;
  effectiveFrom: string; // YYYY-MM-DD
  currency: 'USD';
  requestPricePerMillion: Money;
  compute: Record<Architecture, PriceTier[]>;
  ephemeralPerGbSecond: Money; // storage above the free 512 MB
  freeRequests: bigint;
  freeGbSeconds: Money;
  billsInit: boolean;
}

export interface MonthUsage {
  requests: bigint;
  computeMbMs: Record<Architecture, bigint>;
  ephemeralMbMs: bigint; // (configured MB - 512) x billed ms, already summed
}

export type LineKind = 'requests' | 'compute' | 'ephemeral_storage';

export interface PricedLine {
  kind: LineKind;
  architecture: Architecture | null;
  tier: number | null; // 1-based
  description: string;
  quantity: Money;
  freeQuantity: Money;
  billableQuantity: Money;
  unitPrice: Money;
  unroundedAmount: Money;
  amount: Money; // rounded half-up to the cent
}

export interface FreeTierUsage {
  requestsUsed: bigint;
  gbSecondsUsed: Money;
  requestsRemaining: bigint;
  gbSecondsRemaining: Money;
}

export interface PricedMonth {
  lines: PricedLine[];
  total: Money; // sum of rounded line amounts
  freeTier: FreeTierUsage;
}

/** A line as it travels on the wire: every number a string, amounts with exactly 2 decimals. */
export interface PricedLineDto {
  kind: LineKind;
  architecture: Architecture | null;
  tier: number | null;
  description: string;
  quantity: string;
  freeQuantity: string;
  billableQuantity: string;
  unitPrice: string;
  amount: string;
}

export interface Workload {
  architecture: Architecture;
  memoryMb: number;
  requests: number | bigint;
  durationMs: number; // per request; rounded UP to whole ms per request
  ephemeralStorageMb?: number; // default 512
}

/** Lambda includes 512 MB of ephemeral storage; only the configured size above it is billed. */
const INCLUDED_EPHEMERAL_MB = 512;

/** AWS Lambda us-east-1 public prices; init time billed like handler time since August 2025. */
export const AWS_US_EAST_1_2025: PriceVersion = {
  id: 'aws-us-east-1-2025-08',
  effectiveFrom: '2025-08-01',
  currency: 'USD',
  requestPricePerMillion: new Money('0.20'),
  compute: {
    x86_64: [
      { upToGbSeconds: new Money('6000000000'), unitPrice: new Money('0.0000166667') },
      { upToGbSeconds: new Money('15000000000'), unitPrice: new Money('0.0000150000') },
      { upToGbSeconds: null, unitPrice: new Money('0.0000133334') },
    ],
    arm64: [
      { upToGbSeconds: new Money('7500000000'), unitPrice: new Money('0.0000133334') },
      { upToGbSeconds: new Money('18750000000'), unitPrice: new Money('0.0000120001') },
      { upToGbSeconds: null, unitPrice: new Money('0.0000106667') },
    ],
  },
  ephemeralPerGbSecond: new Money('0.0000000309'),
  freeRequests: 1_000_000n,
  freeGbSeconds: new Money('400000'),
  billsInit: true,
};

/** The part of one architecture's monthly GB-s that falls into one tier. */
interface ComputeSegment {
  architecture: Architecture;
  tier: number;
  description: string;
  unitPrice: Money;
  quantity: Money;
  free: Money;
}

export function priceMonth(usage: MonthUsage, version: PriceVersion, opts: { freeTier: boolean }): PricedMonth {
  assertUsage(usage);
  const requestAllowance = opts.freeTier ? version.freeRequests : 0n;
  const gbSecondsAllowance = opts.freeTier ? version.freeGbSeconds : ZERO;

  const freeRequests = usage.requests < requestAllowance ? usage.requests : requestAllowance;
  const requestsLine = pricedLine({
    kind: 'requests',
    architecture: null,
    tier: null,
    description: 'Requests',
    quantity: new Money(usage.requests.toString()),
    freeQuantity: new Money(freeRequests.toString()),
    unitPrice: version.requestPricePerMillion.div(1_000_000),
  });

  // Tier boundaries apply to the whole month's usage per architecture, free usage included; the
  // free GB-s then go to the most expensive segments first, so the bill ignores event order.
  const segments = ARCHITECTURES.flatMap((arch) => splitIntoTiers(arch, mbMsToGbSeconds(usage.computeMbMs[arch]), version.compute[arch]));
  let gbSecondsRemaining = gbSecondsAllowance;
  for (const segment of [...segments].sort(byPriceDescending)) {
    segment.free = Money.min(segment.quantity, gbSecondsRemaining);
    gbSecondsRemaining = gbSecondsRemaining.minus(segment.free);
  }
  const computeLines = segments
    .filter((s) => s.quantity.gt(0))
    .map((s) =>
      pricedLine({
        kind: 'compute',
        architecture: s.architecture,
        tier: s.tier,
        description: s.description,
        quantity: s.quantity,
        freeQuantity: s.free,
        unitPrice: s.unitPrice,
      }),
    );

  const ephemeralGbSeconds = mbMsToGbSeconds(usage.ephemeralMbMs);
  const ephemeralLines = ephemeralGbSeconds.gt(0)
    ? [
        pricedLine({
          kind: 'ephemeral_storage',
          architecture: null,
          tier: null,
          description: `Ephemeral storage above ${INCLUDED_EPHEMERAL_MB} MB`,
          quantity: ephemeralGbSeconds,
          freeQuantity: ZERO, // no free tier for storage: the included 512 MB is already left out
          unitPrice: version.ephemeralPerGbSecond,
        }),
      ]
    : [];

  const lines = [requestsLine, ...computeLines, ...ephemeralLines];
  return {
    lines,
    total: lines.reduce((sum, line) => sum.plus(line.amount), ZERO),
    freeTier: {
      requestsUsed: freeRequests,
      gbSecondsUsed: gbSecondsAllowance.minus(gbSecondsRemaining),
      requestsRemaining: requestAllowance - freeRequests,
      gbSecondsRemaining,
    },
  };
}

/** Sums workloads into a month of usage with exact integer math (the quote calculator's input). */
export function usageFromWorkloads(workloads: Workload[]): MonthUsage {
  const usage: MonthUsage = { requests: 0n, computeMbMs: { x86_64: 0n, arm64: 0n }, ephemeralMbMs: 0n };
  workloads.forEach((w, i) => {
    if (!ARCHITECTURES.includes(w.architecture)) throw new RangeError(`workload ${i}: unknown architecture`);
    const requests = toWholeCount(w.requests, `workload ${i}: requests`);
    const memoryMb = toWholeCount(w.memoryMb, `workload ${i}: memoryMb`);
    if (memoryMb === 0n) throw new RangeError(`workload ${i}: memoryMb must be >= 1`);
    const storageMb = toWholeCount(w.ephemeralStorageMb ?? INCLUDED_EPHEMERAL_MB, `workload ${i}: ephemeralStorageMb`);
    if (!Number.isFinite(w.durationMs) || w.durationMs < 0) {
      throw new RangeError(`workload ${i}: durationMs must be a finite number >= 0`);
    }
    // Billing rounds each request up to the ms, so round the per-request duration, not the total.
    const billedMs = BigInt(Math.ceil(w.durationMs));
    const extraStorageMb = storageMb > BigInt(INCLUDED_EPHEMERAL_MB) ? storageMb - BigInt(INCLUDED_EPHEMERAL_MB) : 0n;
    usage.requests += requests;
    usage.computeMbMs[w.architecture] += requests * billedMs * memoryMb;
    usage.ephemeralMbMs += requests * billedMs * extraStorageMb;
  });
  return usage;
}

export function formatLine(line: PricedLine): PricedLineDto {
  return {
    kind: line.kind,
    architecture: line.architecture,
    tier: line.tier,
    description: line.description,
    quantity: formatDecimal(line.quantity),
    freeQuantity: formatDecimal(line.freeQuantity),
    billableQuantity: formatDecimal(line.billableQuantity),
    unitPrice: formatDecimal(line.unitPrice),
    amount: formatMoney(line.amount),
  };
}

function pricedLine(
  l: Pick<PricedLine, 'kind' | 'architecture' | 'tier' | 'description' | 'quantity' | 'freeQuantity' | 'unitPrice'>,
): PricedLine {
  const billableQuantity = l.quantity.minus(l.freeQuantity);
  const unroundedAmount = billableQuantity.times(l.unitPrice);
  return { ...l, billableQuantity, unroundedAmount, amount: roundCents(unroundedAmount) };
}

/**
 * A tier list's lower bounds and descriptions, worked out (and the list checked) once per list:
 * an invoice run prices thousands of accounts against the same version.
 */
const tierShapes = new WeakMap<PriceTier[], { lower: Money; description: string }[]>();

function tierShape(architecture: Architecture, tiers: PriceTier[]) {
  let shape = tierShapes.get(tiers);
  if (!shape) {
    assertTiers(architecture, tiers);
    let lower = ZERO;
    shape = tiers.map((t, i) => {
      const s = { lower, description: `Compute ${architecture}, tier ${i + 1} (${tierRange(lower, t.upToGbSeconds)})` };
      if (t.upToGbSeconds !== null) lower = t.upToGbSeconds;
      return s;
    });
    tierShapes.set(tiers, shape);
  }
  return shape;
}

function splitIntoTiers(architecture: Architecture, gbSeconds: Money, tiers: PriceTier[]): ComputeSegment[] {
  const shape = tierShape(architecture, tiers);
  return tiers.map((t, i) => {
    const { lower, description } = shape[i]!;
    const quantity = gbSeconds.lte(lower) ? ZERO : Money.min(gbSeconds, t.upToGbSeconds ?? gbSeconds).minus(lower);
    return { architecture, tier: i + 1, description, unitPrice: t.unitPrice, quantity, free: ZERO };
  });
}

function tierRange(lower: Money, upper: Money | null): string {
  if (upper === null) return lower.isZero() ? 'all GB-s' : `over ${groupThousands(lower)} GB-s`;
  return lower.isZero() ? `first ${groupThousands(upper)} GB-s` : `next ${groupThousands(upper.minus(lower))} GB-s`;
}

/** Ties go to x86_64 before arm64, then the lower tier, so free-tier allocation is deterministic. */
function byPriceDescending(a: ComputeSegment, b: ComputeSegment): number {
  return (
    b.unitPrice.comparedTo(a.unitPrice) || ARCHITECTURES.indexOf(a.architecture) - ARCHITECTURES.indexOf(b.architecture) || a.tier - b.tier
  );
}

/** A catalog whose last tier is bounded would leave usage above it unpriced: refuse it loudly. */
function assertTiers(architecture: Architecture, tiers: PriceTier[]): void {
  if (tiers.length === 0) throw new RangeError(`${architecture}: no price tiers`);
  let lower = ZERO;
  tiers.forEach((t, i) => {
    const last = i === tiers.length - 1;
    if (t.unitPrice.isNeg()) throw new RangeError(`${architecture} tier ${i + 1}: negative unit price`);
    if ((t.upToGbSeconds === null) !== last) {
      throw new RangeError(`${architecture}: only the last tier, and always the last, is unbounded`);
    }
    if (t.upToGbSeconds !== null) {
      if (t.upToGbSeconds.lte(lower)) throw new RangeError(`${architecture} tier ${i + 1}: bounds must increase`);
      lower = t.upToGbSeconds;
    }
  });
}

function assertUsage(usage: MonthUsage): void {
  const counters = [usage.requests, usage.ephemeralMbMs, ...ARCHITECTURES.map((a) => usage.computeMbMs[a])];
  if (counters.some((c) => c < 0n)) throw new RangeError('usage counters must be >= 0');
}

function toWholeCount(value: number | bigint, name: string): bigint {
  if (typeof value === 'bigint') {
    if (value < 0n) throw new RangeError(`${name} must be >= 0`);
    return value;
  }
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number >= 0`);
  return BigInt(value);
}

/** 6000000000 -> "6,000,000,000" for descriptions; exact, never exponent notation. */
function groupThousands(value: Money): string {
  const [whole = '', fraction] = formatDecimal(value).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}
