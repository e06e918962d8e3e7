import { randomUUID } from 'node:crypto';
import { Counter, type Registry } from 'prom-client';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { errors } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { Money, formatMoney, formatPercent } from '../../lib/money.js';
import { periodDate, periodEnd, periodOf, periodStart } from '../../lib/period.js';
import type { InvoicesService } from '../invoices/invoices.service.js';
import type { Alert, AlertsRepository } from './alerts.repository.js';
import { type Cap, type CapInForce, createCapCache, type FunctionRef } from './budgets.caps.js';
import type { Budget, BudgetsRepository, BudgetState } from './budgets.repository.js';
import { createSpendMeter } from './budgets.spend.js';
import { alertBody } from './webhook.js';

/** A month-end forecast from less than a day of the month is mostly noise: forecast alerts wait for a day of data. */
export const FORECAST_MIN_ELAPSED_MS = 24 * 3600_000;
/** Accounts priced per evaluation round by the minute job. */
const PAGE = 200;
/**
 * How long into a month the month before is evaluated again: usage that ran before midnight and
 * reaches the api after it (a spool's last batch, an executor back from an outage) is billed to that
 * month, and may cross one of its thresholds.
 */
export const LATE_USAGE_WINDOW_MS = 24 * 3600_000;

/**
 * Measures budgets, records threshold crossings (one alert per budget, month, threshold and amount: the
 * unique key decides between concurrent evaluations, and a budget changed in a month alerts afresh for its new amount) with their outbox rows in one transaction,
 * and keeps the in-memory hard caps that the invoke path checks.
 */
export function createBudgetEvaluator(deps: {
  db: Db;
  repo: BudgetsRepository;
  alerts: Pick<AlertsRepository, 'insertAlerts' | 'enqueue'>;
  invoices: Pick<InvoicesService, 'compute'>;
  clock: Clock;
  log: Logger;
  registry?: Registry;
  /** Usage batches within this window are evaluated together, once (per api process). */
  debounceMs?: number;
}) {
  const { repo, clock, log } = deps;
  const measure = createSpendMeter(deps);
  const caps = createCapCache();
  const registers = deps.registry ? [deps.registry] : [];
  const evaluations = new Counter({
    name: 'tally_budget_evaluations_total',
    help: 'Budget evaluation rounds, by trigger',
    labelNames: ['trigger'] as const,
    registers,
  });
  const alertsRaised = new Counter({ name: 'tally_budget_alerts_total', help: 'Budget alerts recorded (threshold crossings)', registers });

  async function measureBudgets(accountIds: string[], now: Date) {
    const rows = await repo.liveBudgetsOf(accountIds);
    if (rows.length === 0) return [];
    const period = periodOf(now);
    const usage = await repo.usageByFunction([...new Set(rows.map((r) => r.budget.accountId))], periodStart(period), periodEnd(period));
    const spend = await measure(
      rows.map((r) => ({ budgetId: r.budget.id, accountId: r.budget.accountId, freeTier: r.freeTier, functionId: r.budget.functionId })),
      usage,
      now,
    );
    return rows.map(({ budget }) => ({ budget, spend: spend.get(budget.id)! }));
  }

  /** The thresholds this measurement (`asOf`, in the month it is of) crossed, as alerts recorded `now`. */
  function crossings(budget: Budget, actual: Money, forecast: Money, asOf: Date, now: Date = asOf): Alert[] {
    if (budget.basis === 'forecast' && asOf.getTime() - periodStart(periodOf(asOf)).getTime() < FORECAST_MIN_ELAPSED_MS) return [];
    const value = budget.basis === 'actual' ? actual : forecast;
    const amount = new Money(budget.amount);
    return budget.thresholds
      .filter((t) => value.times(100).gte(amount.times(t)))
      .map((threshold) => ({
        id: randomUUID(),
        accountId: budget.accountId,
        budgetId: budget.id,
        period: periodDate(periodOf(asOf)),
        threshold,
        basis: budget.basis,
        spend: formatMoney(value),
        actual: formatMoney(actual),
        forecast: formatMoney(forecast),
        amount: formatMoney(amount),
        percent: formatPercent(value, amount),
        createdAt: now,
      }));
  }

  async function refreshCaps(): Promise<void> {
    const period = periodOf(clock.now());
    caps.replace(period, await repo.cappedBudgets(periodDate(period)));
  }

  /**
   * The month that just ended, measured as of its last instant, in the first LATE_USAGE_WINDOW_MS of
   * the next: its late usage may cross a threshold of its own. Budgets made since it ended are not of it,
   * and neither are budgets changed since: their amount, thresholds, basis or filter may be the new
   * month's, and only the budget as it stood during the month may raise that month's alerts (the
   * settings it had then are not kept, so such a budget's late crossings of the old month go unreported).
   */
  async function lateCrossings(accountIds: string[], now: Date): Promise<{ budget: Budget; alerts: Alert[] }[]> {
    const start = periodStart(periodOf(now));
    if (now.getTime() - start.getTime() >= LATE_USAGE_WINDOW_MS) return [];
    const asOf = new Date(start.getTime() - 1);
    return (await measureBudgets(accountIds, asOf))
      .filter(({ budget }) => budget.createdAt < start && budget.updatedAt < start)
      .map(({ budget, spend }) => ({ budget, alerts: crossings(budget, spend.actual, spend.forecast, asOf, now) }));
  }

  /** Evaluates every live budget of these accounts now; returns how many alerts were newly recorded. */
  async function evaluate(accountIds: string[], trigger: 'ingest' | 'schedule' | 'change'): Promise<number> {
    const now = clock.now();
    evaluations.inc({ trigger });
    const measured = await measureBudgets(accountIds, now);
    const late = measured.length > 0 ? await lateCrossings(accountIds, now) : [];
    let created = 0;
    if (measured.length > 0) {
      const states: BudgetState[] = [];
      const alerts: Alert[] = [];
      const withWebhook = new Set<string>();
      for (const { budget, spend } of measured) {
        states.push({
          accountId: budget.accountId,
          budgetId: budget.id,
          period: periodDate(periodOf(now)),
          functionId: budget.functionId,
          actual: formatMoney(spend.actual),
          forecast: formatMoney(spend.forecast),
          evaluatedAt: now,
        });
        for (const a of crossings(budget, spend.actual, spend.forecast, now)) {
          alerts.push(a);
          if (budget.webhookUrl) withWebhook.add(a.id);
        }
      }
      for (const { budget, alerts: crossed } of late) {
        for (const a of crossed) {
          alerts.push(a);
          if (budget.webhookUrl) withWebhook.add(a.id);
        }
      }
      created = await deps.db.transaction().execute(async (tx) => {
        await repo.saveStates(tx, states);
        const inserted = await deps.alerts.insertAlerts(tx, alerts);
        const outbox = alerts.filter((a) => inserted.has(a.id) && withWebhook.has(a.id));
        await deps.alerts.enqueue(
          tx,
          outbox.map((a) => ({ alertId: a.id, accountId: a.accountId, body: alertBody(a) })),
          now,
        );
        return inserted.size;
      });
      if (created > 0) {
        alertsRaised.inc(created);
        log.info({ accounts: accountIds.length, alerts: created, trigger }, 'budget thresholds crossed');
      }
    }
    await refreshCaps();
    return created;
  }

  /** Every account with a budget, a page at a time. */
  /**
   * Every account with a budget, a page at a time. An aborted `signal` (the api stopping) ends it between
   * pages: what was evaluated stands, and the next minute's tick (on any replica) goes over all again.
   */
  async function evaluateAll(signal?: AbortSignal): Promise<number> {
    let after: string | null = null;
    let created = 0;
    for (;;) {
      if (signal?.aborted) return created;
      const page = await repo.accountsWithBudgets(after, PAGE);
      if (page.length === 0) break;
      created += await evaluate(page, 'schedule');
      after = page.at(-1)!;
    }
    if (after === null) await refreshCaps();
    return created;
  }

  // Debounce: the accounts of every batch ingested within `debounceMs` are evaluated once, after
  // the ingest answered; rounds run one after the other, so a slow round delays, never doubles, the next.
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  let stopped = false;

  async function runPending(): Promise<void> {
    const ids = [...pending];
    pending.clear();
    if (ids.length === 0) return;
    try {
      await evaluate(ids, 'ingest');
    } catch (err) {
      log.error({ err, accounts: ids.length }, 'budget evaluation after ingest failed; the minute job retries');
    }
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    const next = chain.then(runPending);
    chain = next;
    return next;
  }

  return {
    evaluate,
    evaluateAll,
    refreshCaps,
    measureBudgets,
    flush,

    /** The usage service's hook: never throws, never waits. */
    onIngested(accountIds: string[]): void {
      if (stopped) return;
      for (const id of accountIds) pending.add(id);
      if (timer) return;
      timer = setTimeout(() => void flush(), deps.debounceMs ?? 1000);
      timer.unref();
    },

    /** Synchronous, in memory: is this account (or this function of it) past a hard cap this month? */
    capFor(accountId: string, fn: FunctionRef = null): Cap | null {
      return caps.capFor(accountId, fn, clock.now());
    },

    /** Every hard cap in force now (the async queue holds their events). */
    capsInForce(): CapInForce[] {
      return caps.inForce(clock.now());
    },

    assertNotCapped(accountId: string, fn: FunctionRef = null): void {
      const cap = caps.capFor(accountId, fn, clock.now());
      if (cap) throw errors.budgetExceeded(cap.message, cap.budgetId);
    },

    /** Stops taking ingest notifications and waits for the round in flight. */
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      pending.clear();
      await chain;
    },
  };
}

export type BudgetEvaluator = ReturnType<typeof createBudgetEvaluator>;
