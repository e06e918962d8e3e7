import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, errors } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { OutboundHttp } from '../../lib/outbound-http.js';
import { Money, formatMoney, formatPercent } from '../../lib/money.js';
import { periodOf } from '../../lib/period.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { SIGNING_SECRET_CONTEXT } from '../../lib/webhooks.js';
import type { AuditService } from '../audit/audit.service.js';
import type { AlertsRepository } from './alerts.repository.js';
import type { BudgetEvaluator } from './budgets.evaluator.js';
import type { Basis, Budget, BudgetChanges, BudgetsRepository } from './budgets.repository.js';
import { newSigningSecret } from './webhook.js';

/** Each budget is priced on every evaluation: a bound keeps one account from making that unbounded. */
export const MAX_BUDGETS_PER_ACCOUNT = 50;
export const DEFAULT_THRESHOLDS = [50, 80, 100];

export interface BudgetInput {
  amount: string;
  thresholds?: number[];
  basis?: Basis;
  functionId?: string;
  webhookUrl?: string;
  hardCap?: boolean;
}

export type BudgetPatch = Partial<{
  amount: string;
  thresholds: number[];
  basis: Basis;
  functionId: string | null;
  webhookUrl: string | null;
  hardCap: boolean;
}>;

function checkAmount(amount: string | undefined): void {
  if (amount !== undefined && new Money(amount).lte(0))
    throw errors.validation('amount: must be greater than 0', [{ field: 'amount', message: 'must be greater than 0' }]);
}

const sorted = (thresholds: number[]) => [...thresholds].sort((a, b) => a - b);

const auditView = (b: Budget) => ({
  amount: formatMoney(new Money(b.amount)),
  thresholds: b.thresholds,
  basis: b.basis,
  functionId: b.functionId,
  webhookUrl: b.webhookUrl,
  hardCap: b.hardCap,
});

/**
 * Budgets: CRUD (every change audited, as it changes money once a budget caps), evaluation and
 * hard caps through the evaluator. A change is evaluated at once, so raising a capped budget lifts
 * the cap on this process before the answer, and on the others at their next cap refresh.
 */
export function createBudgetsService(deps: {
  db: Db;
  repo: BudgetsRepository;
  alerts: Pick<AlertsRepository, 'cancelPending'>;
  evaluator: BudgetEvaluator;
  /** Refuses webhook URLs that point into the operator's network. */
  outbound: Pick<OutboundHttp, 'check'>;
  audit: Pick<AuditService, 'record'>;
  /** Seals the webhook signing secret: the answer to the creation shows it, the database holds it sealed. */
  secretBox: Pick<SecretBox, 'seal'>;
  clock: Clock;
  log: Logger;
}) {
  const { repo, evaluator } = deps;

  async function visible(scope: string | null, id: string): Promise<Budget> {
    const budget = await repo.find(id);
    if (!budget || (scope !== null && budget.accountId !== scope)) throw errors.budgetNotFound(id);
    return budget;
  }

  /** After a change is committed: a failure here must not fail the change (the minute job evaluates again). */
  async function reevaluate(accountId: string): Promise<void> {
    try {
      await evaluator.evaluate([accountId], 'change');
    } catch (err) {
      deps.log.error({ err, accountId }, 'evaluating a changed budget failed; the minute job retries');
    }
  }

  return {
    async create(actor: string, accountId: string, input: BudgetInput) {
      checkAmount(input.amount);
      if (input.webhookUrl !== undefined) await deps.outbound.check('webhookUrl', input.webhookUrl);
      const id = randomUUID();
      const secret = newSigningSecret();
      const budget = await deps.db.transaction().execute(async (tx) => {
        if ((await repo.countLiveLocked(tx, accountId)) >= MAX_BUDGETS_PER_ACCOUNT) {
          throw new AppError('CONFLICT', 409, `An account has at most ${MAX_BUDGETS_PER_ACCOUNT} budgets; delete one first`);
        }
        const b = await repo.insert(
          tx,
          {
            id,
            accountId,
            amount: input.amount,
            thresholds: sorted(input.thresholds ?? DEFAULT_THRESHOLDS),
            basis: input.basis ?? 'actual',
            functionId: input.functionId ?? null,
            webhookUrl: input.webhookUrl ?? null,
            hardCap: input.hardCap ?? false,
            secretSealed: deps.secretBox.seal(secret, SIGNING_SECRET_CONTEXT.budget(id)),
          },
          deps.clock.now(),
        );
        await deps.audit.record(tx, [{ actor, action: 'budget.created', accountId, subject: b.id, reason: null, details: auditView(b) }]);
        return b;
      });
      await reevaluate(accountId);
      return { budget, secret };
    },

    list: (scope: string | null, limit: number) => repo.list(scope, limit),

    get: visible,

    async update(actor: string, scope: string | null, id: string, patch: BudgetPatch, reason: string | null): Promise<Budget> {
      checkAmount(patch.amount);
      if (Object.keys(patch).length === 0)
        throw errors.validation('Nothing to change: name at least one field of the budget', [{ field: 'body' }]);
      const before = await visible(scope, id);
      if (typeof patch.webhookUrl === 'string') await deps.outbound.check('webhookUrl', patch.webhookUrl);
      const changes: BudgetChanges = { ...patch, ...(patch.thresholds ? { thresholds: sorted(patch.thresholds) } : {}) };
      const after = await deps.db.transaction().execute(async (tx) => {
        const b = await repo.update(tx, id, changes, deps.clock.now());
        if (!b) throw errors.budgetNotFound(id);
        await deps.audit.record(tx, [
          {
            actor,
            action: 'budget.changed',
            accountId: b.accountId,
            subject: id,
            reason,
            details: { from: auditView(before), to: auditView(b) },
          },
        ]);
        return b;
      });
      await reevaluate(after.accountId);
      return after;
    },

    async remove(actor: string, scope: string | null, id: string): Promise<void> {
      const budget = await visible(scope, id);
      await deps.db.transaction().execute(async (tx) => {
        await repo.softDelete(tx, id, deps.clock.now());
        await deps.alerts.cancelPending(tx, id);
        await deps.audit.record(tx, [
          { actor, action: 'budget.deleted', accountId: budget.accountId, subject: id, reason: null, details: auditView(budget) },
        ]);
      });
      await reevaluate(budget.accountId);
    },

    /** Each budget of an account measured now, for GET /v1/cost/current. */
    async summary(accountId: string) {
      const now = deps.clock.now();
      const measured = await evaluator.measureBudgets([accountId], now);
      return measured.map(({ budget, spend }) => {
        const amount = new Money(budget.amount);
        return {
          id: budget.id,
          amount: formatMoney(amount),
          basis: budget.basis,
          functionId: budget.functionId,
          thresholds: budget.thresholds,
          hardCap: budget.hardCap,
          spend: formatMoney(spend.actual),
          percent: formatPercent(spend.actual, amount),
          forecast: formatMoney(spend.forecast),
          forecastPercent: formatPercent(spend.forecast, amount),
          capped: budget.hardCap && spend.actual.gte(amount),
          period: periodOf(now),
        };
      });
    },

    onIngested: evaluator.onIngested,
    flush: evaluator.flush,
    evaluate: evaluator.evaluate,
    evaluateAll: evaluator.evaluateAll,
    refreshCaps: evaluator.refreshCaps,
    capFor: evaluator.capFor,
    capsInForce: evaluator.capsInForce,
    assertNotCapped: evaluator.assertNotCapped,
    stop: evaluator.stop,

    /** The minute job: runs on the one replica that claims this minute's tick; `signal` ends it between pages (a stop). */
    async tick(signal?: AbortSignal): Promise<{ ran: boolean; alerts: number }> {
      const now = deps.clock.now();
      const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
      if (!(await repo.claimTick(minute))) return { ran: false, alerts: 0 };
      return { ran: true, alerts: await evaluator.evaluateAll(signal) };
    },
  };
}

export type BudgetsService = ReturnType<typeof createBudgetsService>;
