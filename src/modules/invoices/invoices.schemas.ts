import { Type } from 'typebox';
import { PERIOD_PATTERN } from '../../lib/period.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const InvoiceLineDto = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  architecture: Nullable(Type.String()),
  tier: Nullable(Type.Integer()),
  adjustsPeriod: Nullable(Type.String()),
  description: Type.String(),
  quantity: Type.String(),
  freeQuantity: Type.String(),
  billableQuantity: Type.String(),
  unitPrice: Type.String(),
  amount: Type.String(),
});

export const InvoiceDto = Type.Object({
  id: Type.String(),
  accountId: Type.String(),
  period: Type.String(),
  status: Type.String(),
  currency: Type.String(),
  total: Type.String(),
  priceVersion: Type.String(),
  freeTier: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  finalizedAt: Nullable(Type.String()),
  voidedAt: Nullable(Type.String()),
  voidReason: Nullable(Type.String()),
  lines: Type.Array(InvoiceLineDto),
});

export const ListInvoicesQuery = Type.Object(
  {
    period: Type.Optional(Type.String({ pattern: PERIOD_PATTERN, description: 'YYYY-MM' })),
    status: Type.Optional(Type.Enum(['draft', 'finalized', 'void'])),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  },
  { additionalProperties: false },
);

export const RunBody = Type.Object(
  { period: Type.String({ pattern: PERIOD_PATTERN, description: 'YYYY-MM, a closed month' }) },
  { additionalProperties: false },
);
export const RunDto = Type.Object({
  period: Type.String(),
  finalized: Type.Integer(),
  alreadyFinalized: Type.Integer(),
  total: Type.String(),
});
export const VoidBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false });
export const IdParams = Type.Object({ id: Type.String() });
export const LineParams = Type.Object({ id: Type.String(), lineId: Type.String() });
export const LineUsageQuery = Type.Object(
  { invocations: Type.Boolean({ default: false }), limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 }) },
  { additionalProperties: false },
);

const Line = Type.Object({
  kind: Type.String(),
  architecture: Nullable(Type.String()),
  tier: Nullable(Type.Integer()),
  adjustsPeriod: Nullable(Type.String()),
  description: Type.String(),
  quantity: Type.String(),
  freeQuantity: Type.String(),
  billableQuantity: Type.String(),
  unitPrice: Type.String(),
  amount: Type.String(),
});

export const CurrentCostBudgetDto = Type.Object({
  id: Type.String(),
  amount: Type.String(),
  basis: Type.String(),
  functionId: Nullable(Type.String()),
  thresholds: Type.Array(Type.Integer()),
  hardCap: Type.Boolean(),
  period: Type.String(),
  spend: Type.String({ description: 'month to date, free tier applied (for a function: what it adds to the bill)' }),
  percent: Type.String({ description: 'spend as a percentage of amount' }),
  forecast: Type.String({ description: 'month-end forecast, same method as forecast.total' }),
  forecastPercent: Type.String(),
  capped: Type.Boolean({ description: 'a hard cap whose spend reached its amount: new invocations are refused' }),
});

export const CurrentCostDto = Type.Object({
  accountId: Type.String(),
  period: Type.String(),
  asOf: Type.String(),
  currency: Type.String(),
  priceVersion: Type.String(),
  total: Type.String(),
  lines: Type.Array(Line),
  freeTier: Type.Object({
    enabled: Type.Boolean(),
    requestsUsed: Type.Integer(),
    requestsRemaining: Type.Integer(),
    gbSecondsUsed: Type.String(),
    gbSecondsRemaining: Type.String(),
  }),
  forecast: Type.Object({ total: Type.String(), method: Type.String(), elapsedFraction: Type.String() }),
  budgets: Type.Array(CurrentCostBudgetDto),
});

/** The hourly rollups behind an invoice line, and with ?invocations=true its invocations. */
export const LineUsageDto = Type.Object({
  invoiceId: Type.String(),
  lineId: Type.String(),
  period: Type.String(),
  billed: Nullable(
    Type.Object(
      {
        asOf: Type.String({ format: 'date-time', description: 'when this invoice billed it' }),
        requests: Type.Integer(),
        x86GbSeconds: Type.String(),
        armGbSeconds: Type.String(),
        ephemeralGbSeconds: Type.String(),
        laterInvoices: Type.Array(Type.String(), {
          description: 'later invoices whose adjustments billed usage of this month that arrived after this one',
        }),
      },
      {
        description:
          "what this invoice billed of the line's month (its own usage, or for an adjustment the late usage it added); " +
          'null for a draft. `hours` are the month as it stands now, late usage included',
      },
    ),
  ),
  hours: Type.Array(
    Type.Object({
      hour: Type.String({ format: 'date-time' }),
      functionId: Type.String(),
      architecture: Type.String(),
      requests: Type.Integer(),
      billedMs: Type.Integer(),
      gbSeconds: Type.String(),
      initGbSeconds: Type.String(),
      ephemeralGbSeconds: Type.String(),
      initEphemeralGbSeconds: Type.String(),
    }),
  ),
  invocations: Type.Optional(
    Type.Array(
      Type.Object({
        invocationId: Type.String(),
        functionId: Type.String(),
        architecture: Type.String(),
        startedAt: Type.String({ format: 'date-time' }),
        billedMs: Type.Integer(),
        memoryMb: Type.Integer(),
        status: Type.String(),
      }),
    ),
  ),
});
