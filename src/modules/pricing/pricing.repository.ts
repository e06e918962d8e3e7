import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import { Money } from '../../lib/money.js';
import { ARCHITECTURES, type PriceVersion } from './pricing.engine.js';

/**
 * numeric(precision, scale) of each catalog column, as created by the migrations: Postgres would round a
 * longer price silently, so the service refuses it instead.
 */
export const CATALOG_COLUMNS = {
  requestPricePerMillion: [20, 10],
  ephemeralPerGbSecond: [24, 16],
  freeGbSeconds: [24, 6],
  upToGbSeconds: [30, 6],
  unitPrice: [24, 16],
} as const satisfies Record<string, readonly [precision: number, scale: number]>;

/** The catalog already has a version with this id or effective month (its primary or unique key said so). */
export function isDuplicateVersion(err: unknown): boolean {
  const e = err as { code?: unknown; constraint?: unknown };
  return e?.code === '23505' && (e.constraint === 'price_versions_pkey' || e.constraint === 'price_versions_effective_from_key');
}

export function createPricingRepository(db: Db) {
  return {
    /** Every version, oldest first; the catalog is a handful of rows. */
    async listVersions(): Promise<(PriceVersion & { createdAt: Date })[]> {
      const versions = await db.selectFrom('price_versions').selectAll().orderBy('effective_from').execute();
      const tiers = await db
        .selectFrom('price_tiers')
        .selectAll()
        .orderBy('price_version_id')
        .orderBy('architecture')
        .orderBy('tier')
        .execute();
      return versions.map((v) => {
        const own = tiers.filter((t) => t.price_version_id === v.id);
        const compute = Object.fromEntries(
          ARCHITECTURES.map((arch) => [
            arch,
            own
              .filter((t) => t.architecture === arch)
              .map((t) => ({
                upToGbSeconds: t.up_to_gb_seconds === null ? null : new Money(t.up_to_gb_seconds),
                unitPrice: new Money(t.unit_price),
              })),
          ]),
        ) as PriceVersion['compute'];
        return {
          id: v.id,
          effectiveFrom: v.effective_from,
          currency: 'USD' as const,
          requestPricePerMillion: new Money(v.request_price_per_million),
          compute,
          ephemeralPerGbSecond: new Money(v.ephemeral_per_gb_second),
          freeRequests: BigInt(v.free_requests),
          freeGbSeconds: new Money(v.free_gb_seconds),
          billsInit: v.bills_init,
          createdAt: v.created_at,
        };
      });
    },

    async insertVersion(tx: Transaction<Database>, v: PriceVersion): Promise<void> {
      await tx
        .insertInto('price_versions')
        .values({
          id: v.id,
          effective_from: v.effectiveFrom,
          request_price_per_million: v.requestPricePerMillion.toFixed(),
          ephemeral_per_gb_second: v.ephemeralPerGbSecond.toFixed(),
          free_requests: v.freeRequests.toString(),
          free_gb_seconds: v.freeGbSeconds.toFixed(),
          bills_init: v.billsInit,
        })
        .execute();
      await tx
        .insertInto('price_tiers')
        .values(
          ARCHITECTURES.flatMap((arch) =>
            v.compute[arch].map((t, i) => ({
              price_version_id: v.id,
              architecture: arch,
              tier: i + 1,
              up_to_gb_seconds: t.upToGbSeconds === null ? null : t.upToGbSeconds.toFixed(),
              unit_price: t.unitPrice.toFixed(),
            })),
          ),
        )
        .execute();
    },
  };
}

export type PricingRepository = ReturnType<typeof createPricingRepository>;
