import { Type } from 'typebox';
import { PERIOD_PATTERN } from '../../lib/period.js';

const DecimalString = (description: string) => Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?$', maxLength: 40, description });

export const Tier = Type.Object(
  {
    upToGbSeconds: Type.Union([DecimalString('cumulative upper bound of the tier, GB-s per month'), Type.Null()]),
    unitPrice: DecimalString('USD per GB-s'),
  },
  { additionalProperties: false },
);

const TierList = Type.Array(Tier, { minItems: 1, maxItems: 10 });

export const PriceVersionDto = Type.Object({
  id: Type.String(),
  effectiveFrom: Type.String({ description: 'YYYY-MM' }),
  currency: Type.String(),
  requestPricePerMillion: Type.String(),
  compute: Type.Object({ x86_64: Type.Array(Tier), arm64: Type.Array(Tier) }),
  ephemeralPerGbSecond: Type.String(),
  freeRequests: Type.Integer(),
  freeGbSeconds: Type.String(),
  billsInit: Type.Boolean(),
});

export const NewPriceVersionBody = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,62}$' }),
    effectiveFrom: Type.String({ pattern: PERIOD_PATTERN, description: 'YYYY-MM, a future month' }),
    requestPricePerMillion: DecimalString('USD per 1M requests'),
    compute: Type.Object({ x86_64: TierList, arm64: TierList }, { additionalProperties: false }),
    ephemeralPerGbSecond: DecimalString('USD per GB-s of ephemeral storage above 512 MB'),
    freeRequests: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'free requests per month' }),
    freeGbSeconds: DecimalString('free GB-s per month'),
    billsInit: Type.Boolean(),
    reason: Type.String({ minLength: 1, maxLength: 1000 }),
  },
  { additionalProperties: false },
);

export const CatalogDto = Type.Object({ current: PriceVersionDto, versions: Type.Array(PriceVersionDto) });

export const LineDto = Type.Object({
  id: Type.Optional(Type.String()),
  kind: Type.String(),
  architecture: Type.Union([Type.String(), Type.Null()]),
  tier: Type.Union([Type.Integer(), Type.Null()]),
  description: Type.String(),
  quantity: Type.String(),
  freeQuantity: Type.String(),
  billableQuantity: Type.String(),
  unitPrice: Type.String(),
  amount: Type.String(),
});

export const QuoteBody = Type.Object(
  {
    freeTier: Type.Boolean({ default: true }),
    workloads: Type.Array(
      Type.Object(
        {
          architecture: Type.Enum(['x86_64', 'arm64']),
          memoryMb: Type.Integer({ minimum: 128, maximum: 10_240 }),
          requests: Type.Integer({ minimum: 0, maximum: 1e15 }),
          durationMs: Type.Number({ minimum: 0, maximum: 900_000, description: 'per request; rounded up to the ms per request' }),
          ephemeralStorageMb: Type.Optional(Type.Integer({ minimum: 512, maximum: 10_240 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 100 },
    ),
  },
  { additionalProperties: false },
);

export const QuoteDto = Type.Object({
  priceVersion: Type.String(),
  currency: Type.String(),
  freeTier: Type.Boolean(),
  lines: Type.Array(LineDto),
  total: Type.String(),
});
