import { formatMoney, Money } from '../../lib/money.js';
import { periodEnd, periodStart, type Period } from '../../lib/period.js';
import type { CappedBudget } from './budgets.repository.js';

export interface Cap {
  exceeded: true;
  budgetId: string;
  message: string;
}

/** A cap in force: the account, the function it is limited to (an id or a name; null: the whole account), and why. */
export interface CapInForce {
  accountId: string;
  functionId: string | null;
  message: string;
}

/** Who is being invoked: a function's id, its name, or both (a budget filter may name either). */
export type FunctionRef = string | { id?: string | null; name?: string | null } | null;

const refs = (fn: FunctionRef): string[] =>
  fn === null ? [] : typeof fn === 'string' ? [fn] : [fn.id, fn.name].filter((x): x is string => typeof x === 'string');

/**
 * The hard caps in force, in memory, so the invoke path never queries the database. It holds one
 * month: when the clock enters the next month every cap lifts without waiting for a refresh.
 */
export function createCapCache() {
  let month = { from: 0, to: 0 }; // the cached month, as epoch ms: no date formatting per check
  let byAccount = new Map<string, (CappedBudget & { message: string })[]>();

  return {
    replace(forPeriod: Period, capped: CappedBudget[]): void {
      const next = new Map<string, (CappedBudget & { message: string })[]>();
      const until = periodEnd(forPeriod).toISOString();
      for (const c of capped) {
        const scope = c.functionId === null ? "this account's spend" : `the spend of function ${c.functionId}`;
        const message =
          `Budget ${c.budgetId} is a hard cap of ${formatMoney(new Money(c.amount))} USD for ${forPeriod} and ${scope} ` +
          `has reached ${formatMoney(new Money(c.actual))} USD: new invocations are refused until ${until} or until the budget is raised`;
        next.set(c.accountId, [...(next.get(c.accountId) ?? []), { ...c, message }]);
      }
      month = { from: periodStart(forPeriod).getTime(), to: periodEnd(forPeriod).getTime() };
      byAccount = next;
    },

    capFor(accountId: string, fn: FunctionRef, now: Date): Cap | null {
      const at = now.getTime();
      if (at < month.from || at >= month.to) return null;
      const names = refs(fn);
      const hit = byAccount.get(accountId.toLowerCase())?.find((c) => c.functionId === null || names.includes(c.functionId));
      return hit ? { exceeded: true, budgetId: hit.budgetId, message: hit.message } : null;
    },

    /** Every cap in force at `now`: the async queue holds their events without claiming them. */
    inForce(now: Date): CapInForce[] {
      const at = now.getTime();
      if (at < month.from || at >= month.to) return [];
      return [...byAccount.values()].flat().map((c) => ({ accountId: c.accountId, functionId: c.functionId, message: c.message }));
    },
  };
}

export type CapCache = ReturnType<typeof createCapCache>;
