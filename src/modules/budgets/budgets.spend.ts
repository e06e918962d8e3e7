import { ZERO, type Money } from '../../lib/money.js';
import { periodEnd, periodOf, periodStart } from '../../lib/period.js';
import type { InvoicesService } from '../invoices/invoices.service.js';
import type { FunctionUsage } from './budgets.repository.js';

export interface Spend {
  /** Month to date, free tier applied: what the draft invoice shows now. */
  actual: Money;
  /** Month-end forecast: usage so far scaled linearly to the whole month, then priced (as GET /v1/cost/current). */
  forecast: Money;
}

export interface Measured {
  budgetId: string;
  accountId: string;
  freeTier: boolean;
  functionId: string | null;
}

const NONE: FunctionUsage = {
  requests: 0n,
  x86MbMs: 0n,
  armMbMs: 0n,
  x86InitMbMs: 0n,
  armInitMbMs: 0n,
  ephemeralMbMs: 0n,
  ephemeralInitMbMs: 0n,
};
const KEYS = Object.keys(NONE) as (keyof FunctionUsage)[];

const combine = (a: FunctionUsage, b: FunctionUsage, sign: 1n | -1n): FunctionUsage =>
  Object.fromEntries(KEYS.map((k) => [k, a[k] + sign * b[k]])) as unknown as FunctionUsage;

/**
 * Prices budgets with the invoices' own `compute` (same catalog, tiers, free tier, rounding, and the
 * adjustment lines for late usage of earlier months that this month's invoice carries).
 *
 * A budget filtered on one function measures what that function adds to the account's bill: the
 * account's cost minus its cost without that function. The free tier belongs to the account, so it
 * goes to the account's other usage first; a function's spend is thus never hidden by an allowance
 * that the rest of the account uses up anyway, and it drops to zero when the function stops.
 */
export function createSpendMeter(deps: { invoices: Pick<InvoicesService, 'compute'> }) {
  return async function measure(
    budgets: Measured[],
    usage: Map<string, Map<string, FunctionUsage>>,
    now: Date,
  ): Promise<Map<string, Spend>> {
    const period = periodOf(now);
    // The same linear projection as invoices.currentCost, so both show the same forecast.
    const elapsed = BigInt(Math.max(1, now.getTime() - periodStart(period).getTime()));
    const length = BigInt(periodEnd(period).getTime() - periodStart(period).getTime());
    const scale = (u: FunctionUsage) => Object.fromEntries(KEYS.map((k) => [k, (u[k] * length) / elapsed])) as unknown as FunctionUsage;

    const accounts = new Map(budgets.map((b) => [b.accountId, { id: b.accountId, freeTier: b.freeTier }]));
    const whole = new Map(
      [...accounts.keys()].map((id) => [id, [...(usage.get(id)?.values() ?? [])].reduce((s, u) => combine(s, u, 1n), NONE)]),
    );

    async function totals(ids: string[], of: (accountId: string) => FunctionUsage): Promise<Map<string, Spend>> {
      const list = ids.map((id) => accounts.get(id)!);
      const [actual, forecast] = await Promise.all([
        deps.invoices.compute(list, period, new Map(ids.map((id) => [id, of(id)]))),
        deps.invoices.compute(list, period, new Map(ids.map((id) => [id, scale(of(id))]))),
      ]);
      return new Map(ids.map((id, i) => [id, { actual: actual[i]!.total, forecast: forecast[i]!.total }]));
    }

    const base = await totals([...accounts.keys()], (id) => whole.get(id)!);
    const out = new Map<string, Spend>();
    for (const b of budgets) if (b.functionId === null) out.set(b.budgetId, base.get(b.accountId)!);

    const byFunction = new Map<string, Measured[]>();
    for (const b of budgets) if (b.functionId !== null) byFunction.set(b.functionId, [...(byFunction.get(b.functionId) ?? []), b]);
    for (const [fn, filtered] of byFunction) {
      const used = [...new Set(filtered.map((b) => b.accountId))].filter((id) => usage.get(id)?.has(fn));
      const without =
        used.length > 0 ? await totals(used, (id) => combine(whole.get(id)!, usage.get(id)!.get(fn)!, -1n)) : new Map<string, Spend>();
      for (const b of filtered) {
        const all = base.get(b.accountId)!;
        const rest = without.get(b.accountId);
        out.set(
          b.budgetId,
          rest ? { actual: all.actual.minus(rest.actual), forecast: all.forecast.minus(rest.forecast) } : { actual: ZERO, forecast: ZERO },
        );
      }
    }
    return out;
  };
}

export type SpendMeter = ReturnType<typeof createSpendMeter>;
