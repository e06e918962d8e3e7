import { Type } from 'typebox';
import { PERIOD_PATTERN } from '../../lib/period.js';
import { Money, formatMoney } from '../../lib/money.js';
import { Uuid } from '../../lib/schemas.js';
import type { Budget } from './budgets.repository.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const Amount = Type.String({
  pattern: '^[0-9]{1,12}(\\.[0-9]{1,2})?$',
  description: 'USD per calendar month, a decimal string with at most 2 decimals, > 0',
  examples: ['50.00'],
});
const Thresholds = Type.Array(Type.Integer({ minimum: 1, maximum: 1000 }), {
  minItems: 1,
  maxItems: 10,
  uniqueItems: true,
  description: 'Percentages of the amount that raise an alert (default [50, 80, 100])',
});
const Basis = Type.Enum(['actual', 'forecast'], {
  description: 'actual: month-to-date cost, free tier applied; forecast: month-end forecast',
});
const FunctionId = Type.String({
  minLength: 1,
  maxLength: 256,
  description: 'Only this function, as usage names it (its name): what it adds to the account bill',
});
const WebhookUrl = Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048 });

export const CreateBudgetBody = Type.Object(
  {
    amount: Amount,
    thresholds: Type.Optional(Thresholds),
    basis: Type.Optional(Basis),
    functionId: Type.Optional(FunctionId),
    webhookUrl: Type.Optional(WebhookUrl),
    hardCap: Type.Optional(
      Type.Boolean({ description: 'Refuse new invocations (402 BUDGET_EXCEEDED) once actual spend reaches the amount' }),
    ),
  },
  { additionalProperties: false },
);

export const UpdateBudgetBody = Type.Object(
  {
    amount: Type.Optional(Amount),
    thresholds: Type.Optional(Thresholds),
    basis: Type.Optional(Basis),
    functionId: Type.Optional(Nullable(FunctionId)),
    webhookUrl: Type.Optional(Nullable(WebhookUrl)),
    hardCap: Type.Optional(Type.Boolean()),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'why: written to the audit log' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const BudgetDto = Type.Object({
  id: Uuid,
  accountId: Uuid,
  amount: Type.String(),
  currency: Type.String(),
  thresholds: Type.Array(Type.Integer()),
  basis: Type.String(),
  functionId: Nullable(Type.String()),
  webhookUrl: Nullable(Type.String()),
  hardCap: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const CreatedBudgetDto = Type.Intersect([
  BudgetDto,
  Type.Object({ secret: Type.String({ description: 'The webhook signing secret: shown this once' }) }),
]);

export const IdParams = Type.Object({ id: Type.String() });
export const ListBudgetsQuery = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) },
  { additionalProperties: false },
);

export const ListAlertsQuery = Type.Object(
  {
    budgetId: Type.Optional(Uuid),
    period: Type.Optional(Type.String({ pattern: PERIOD_PATTERN, description: 'YYYY-MM' })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  },
  { additionalProperties: false },
);

const DeliveryDto = Type.Object({
  status: Type.String({ description: 'none (no webhook), pending, delivered, failed (gave up after 3 days) or cancelled' }),
  attempts: Type.Integer({ description: 'attempts in the current round' }),
  nextAttemptAt: Nullable(Type.String()),
  giveUpAt: Nullable(Type.String()),
  deliveredAt: Nullable(Type.String()),
  lastError: Nullable(Type.String()),
});

export const AlertDto = Type.Object({
  id: Uuid,
  accountId: Uuid,
  budgetId: Uuid,
  period: Type.String(),
  threshold: Type.Integer(),
  basis: Type.String(),
  spend: Type.String({ description: 'the basis value that crossed the threshold' }),
  amount: Type.String(),
  percent: Type.String(),
  actual: Type.String(),
  forecast: Type.String(),
  createdAt: Type.String(),
  delivery: DeliveryDto,
});

export const AlertDetailDto = Type.Intersect([
  AlertDto,
  Type.Object({
    history: Type.Array(
      Type.Object({
        at: Type.String(),
        url: Type.String(),
        statusCode: Nullable(Type.Integer()),
        error: Nullable(Type.String()),
        durationMs: Type.Integer(),
      }),
    ),
  }),
]);

export const toBudgetDto = (b: Budget) => ({
  id: b.id,
  accountId: b.accountId,
  amount: formatMoney(new Money(b.amount)),
  currency: 'USD',
  thresholds: b.thresholds,
  basis: b.basis,
  functionId: b.functionId,
  webhookUrl: b.webhookUrl,
  hardCap: b.hardCap,
  createdAt: b.createdAt.toISOString(),
  updatedAt: b.updatedAt.toISOString(),
});
