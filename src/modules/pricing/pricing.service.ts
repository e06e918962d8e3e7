import type { Db } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, errors } from '../../lib/errors.js';
import { Money, fitsNumeric, formatDecimal, formatMoney } from '../../lib/money.js';
import { nextPeriod, periodDate, periodFromDate, periodOf, type Period } from '../../lib/period.js';
import type { AuditService } from '../audit/audit.service.js';
import { ARCHITECTURES, formatLine, priceMonth, usageFromWorkloads, type PriceVersion, type Workload } from './pricing.engine.js';
import { CATALOG_COLUMNS, isDuplicateVersion, type PricingRepository } from './pricing.repository.js';

export interface NewPriceVersion {
  id: string;
  effectiveFrom: Period;
  requestPricePerMillion: string;
  compute: Record<'x86_64' | 'arm64', { upToGbSeconds: string | null; unitPrice: string }[]>;
  ephemeralPerGbSecond: string;
  freeRequests: number;
  freeGbSeconds: string;
  billsInit: boolean;
  reason: string;
}

/** Refuses a figure the catalog could only store rounded: the answer and the audit must show what is billed. */
function assertStorable(input: NewPriceVersion): void {
  const figures: (readonly [field: string, value: string | null, column: keyof typeof CATALOG_COLUMNS])[] = [
    ['requestPricePerMillion', input.requestPricePerMillion, 'requestPricePerMillion'],
    ['ephemeralPerGbSecond', input.ephemeralPerGbSecond, 'ephemeralPerGbSecond'],
    ['freeGbSeconds', input.freeGbSeconds, 'freeGbSeconds'],
    ...ARCHITECTURES.flatMap((arch) =>
      input.compute[arch].flatMap((t, i) => [
        [`compute.${arch}[${i}].upToGbSeconds`, t.upToGbSeconds, 'upToGbSeconds'] as const,
        [`compute.${arch}[${i}].unitPrice`, t.unitPrice, 'unitPrice'] as const,
      ]),
    ),
  ];
  for (const [field, value, column] of figures) {
    if (value === null) continue;
    const [precision, scale] = CATALOG_COLUMNS[column];
    if (!fitsNumeric(new Money(value), precision, scale)) {
      throw errors.validation(
        `${field}: ${value} does not fit the catalog, which keeps at most ${precision - scale} digits before the point and ${scale} decimals`,
        [{ field, message: `at most ${scale} decimals and ${precision - scale} integer digits` }],
      );
    }
  }
}

export function versionDto(v: PriceVersion) {
  return {
    id: v.id,
    effectiveFrom: v.effectiveFrom.slice(0, 7),
    currency: v.currency,
    requestPricePerMillion: formatDecimal(v.requestPricePerMillion),
    compute: Object.fromEntries(
      ARCHITECTURES.map((a) => [
        a,
        v.compute[a].map((t) => ({
          upToGbSeconds: t.upToGbSeconds ? formatDecimal(t.upToGbSeconds) : null,
          unitPrice: formatDecimal(t.unitPrice),
        })),
      ]),
    ) as Record<'x86_64' | 'arm64', { upToGbSeconds: string | null; unitPrice: string }[]>,
    ephemeralPerGbSecond: formatDecimal(v.ephemeralPerGbSecond),
    freeRequests: Number(v.freeRequests),
    freeGbSeconds: formatDecimal(v.freeGbSeconds),
    billsInit: v.billsInit,
  };
}

export function createPricingService(deps: { db: Db; repo: PricingRepository; audit: Pick<AuditService, 'record'>; clock: Clock }) {
  /** The version in force for a month: the latest whose effective month is not after it. */
  async function versionFor(period: Period): Promise<PriceVersion> {
    const inForce = (await deps.repo.listVersions()).filter((v) => v.effectiveFrom <= periodDate(period)).at(-1);
    if (!inForce) throw new AppError('NOT_FOUND', 404, `No price version is in force for ${period}`);
    return inForce;
  }

  let start: Promise<Period | null> | null = null;

  return {
    versionFor,

    /**
     * The first month the catalog prices (null while it is empty). Versions are append-only and only
     * ever start in a future month, so once known it never moves: it is read once per process.
     */
    catalogStart(): Promise<Period | null> {
      start ??= deps.repo.listVersions().then(
        (versions) => {
          if (versions.length === 0) start = null;
          return versions[0] ? periodFromDate(versions[0].effectiveFrom) : null;
        },
        (err: unknown) => {
          start = null;
          throw err;
        },
      );
      return start;
    },

    /** Every version at once, for pricing many months in one pass (the catalog is a handful of rows). */
    async resolver(): Promise<(period: Period) => PriceVersion> {
      const versions = await deps.repo.listVersions();
      return (period) => {
        const v = versions.filter((x) => x.effectiveFrom <= periodDate(period)).at(-1);
        if (!v) throw new AppError('NOT_FOUND', 404, `No price version is in force for ${period}`);
        return v;
      };
    },

    async catalog() {
      const versions = await deps.repo.listVersions();
      const current = await versionFor(periodOf(deps.clock.now()));
      return { current: versionDto(current), versions: versions.map(versionDto) };
    },

    /** A new version takes effect from a future month only: months already (partly) billed keep their prices. */
    async addVersion(actor: string, input: NewPriceVersion) {
      const earliest = nextPeriod(periodOf(deps.clock.now()));
      if (input.effectiveFrom < earliest) {
        throw errors.validation(
          `effectiveFrom must be ${earliest} or later: a price change never reaches back into a month already metered`,
          [{ field: 'effectiveFrom' }],
        );
      }
      assertStorable(input);
      const version: PriceVersion = {
        id: input.id,
        effectiveFrom: periodDate(input.effectiveFrom),
        currency: 'USD',
        requestPricePerMillion: new Money(input.requestPricePerMillion),
        compute: {
          x86_64: input.compute.x86_64.map((t) => ({
            upToGbSeconds: t.upToGbSeconds === null ? null : new Money(t.upToGbSeconds),
            unitPrice: new Money(t.unitPrice),
          })),
          arm64: input.compute.arm64.map((t) => ({
            upToGbSeconds: t.upToGbSeconds === null ? null : new Money(t.upToGbSeconds),
            unitPrice: new Money(t.unitPrice),
          })),
        },
        ephemeralPerGbSecond: new Money(input.ephemeralPerGbSecond),
        freeRequests: BigInt(input.freeRequests),
        freeGbSeconds: new Money(input.freeGbSeconds),
        billsInit: input.billsInit,
      };
      try {
        // the engine refuses tiers that would leave usage unpriced
        priceMonth({ requests: 0n, computeMbMs: { x86_64: 0n, arm64: 0n }, ephemeralMbMs: 0n }, version, { freeTier: true });
      } catch (err) {
        throw errors.validation(`compute tiers: ${(err as Error).message}`, [{ field: 'compute' }]);
      }
      const duplicate = () =>
        new AppError('CONFLICT', 409, `A price version with id ${version.id} or effective from ${input.effectiveFrom} exists already`);
      const existing = await deps.repo.listVersions();
      if (existing.some((v) => v.id === version.id || v.effectiveFrom === version.effectiveFrom)) throw duplicate();
      // the keys on id and effective month decide a race between two admins; the check above only words the common case
      await deps.db
        .transaction()
        .execute(async (tx) => {
          await deps.repo.insertVersion(tx, version);
          await deps.audit.record(tx, [
            {
              actor,
              action: 'price_version.created',
              accountId: null,
              subject: version.id,
              reason: input.reason,
              details: versionDto(version),
            },
          ]);
        })
        .catch((err: unknown) => {
          throw isDuplicateVersion(err) ? duplicate() : err;
        });
      return versionDto(version);
    },

    /** The pricing calculator: the same engine and lines an invoice uses, on hypothetical usage. */
    async quote(input: { freeTier: boolean; workloads: Workload[] }) {
      const version = await versionFor(periodOf(deps.clock.now()));
      let priced: ReturnType<typeof priceMonth>;
      try {
        priced = priceMonth(usageFromWorkloads(input.workloads), version, { freeTier: input.freeTier });
      } catch (err) {
        throw errors.validation(`workloads: ${(err as Error).message}`);
      }
      return {
        priceVersion: version.id,
        currency: version.currency,
        freeTier: input.freeTier,
        lines: priced.lines.map(formatLine),
        total: formatMoney(priced.total),
      };
    },
  };
}

export type PricingService = ReturnType<typeof createPricingService>;
