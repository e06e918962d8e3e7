import { Counter, type Registry } from 'prom-client';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, errors } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { OutboundHttp } from '../../lib/outbound-http.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { SIGNING_SECRET_CONTEXT, openSigningSecret } from '../../lib/webhooks.js';
import { periodDate, periodFromDate, type Period } from '../../lib/period.js';
import type { Alert, AlertsRepository, ClaimedDelivery, Delivery } from './alerts.repository.js';
import type { BudgetsRepository } from './budgets.repository.js';
import { alertBody, describeFailure, postWebhook } from './webhook.js';

const toAlertDto = (a: Alert, d: Delivery | null) => ({
  id: a.id,
  accountId: a.accountId,
  budgetId: a.budgetId,
  period: periodFromDate(a.period),
  threshold: a.threshold,
  basis: a.basis,
  spend: a.spend,
  amount: a.amount,
  percent: a.percent,
  actual: a.actual,
  forecast: a.forecast,
  createdAt: a.createdAt.toISOString(),
  delivery: d
    ? {
        status: d.status,
        attempts: d.attempts,
        nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
        giveUpAt: d.giveUpAt.toISOString(),
        deliveredAt: d.deliveredAt?.toISOString() ?? null,
        lastError: d.lastError,
      }
    : { status: 'none' as const, attempts: 0, nextAttemptAt: null, giveUpAt: null, deliveredAt: null, lastError: null },
});

/**
 * Alerts as the account sees them, and their webhook delivery: a worker on every api replica
 * claims due outbox rows (SKIP LOCKED, so replicas share the work), POSTs the signed body, logs
 * the attempt, and leaves failures to the backoff the claim scheduled, for up to three days.
 */
export function createAlertsService(deps: {
  db: Db;
  repo: AlertsRepository;
  budgets: Pick<BudgetsRepository, 'webhookOf'>;
  /** Sends to tenants' URLs, never into the operator's network (unless allowed). */
  outbound: OutboundHttp;
  /** Opens the budgets' sealed signing secrets. */
  secretBox: SecretBox;
  clock: Clock;
  log: Logger;
  registry?: Registry;
  timeoutMs?: number;
}) {
  const { repo, log } = deps;
  const deliveries = new Counter({
    name: 'tally_alert_deliveries_total',
    help: 'Webhook delivery attempts, by outcome',
    labelNames: ['outcome'] as const,
    registers: deps.registry ? [deps.registry] : [],
  });

  async function visible(scope: string | null, id: string): Promise<Alert> {
    const alert = await repo.find(id);
    if (!alert || (scope !== null && alert.accountId !== scope)) throw errors.alertNotFound(id);
    return alert;
  }

  async function attempt(c: ClaimedDelivery, now: Date): Promise<'delivered' | 'retry' | 'failed' | 'cancelled'> {
    if (c.budgetDeleted || c.url === null) {
      await repo.settle(c.alertId, 'cancelled', c.budgetDeleted ? 'the budget was deleted' : 'the budget has no webhookUrl');
      deliveries.inc({ outcome: 'cancelled' });
      return 'cancelled';
    }
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const secret = openSigningSecret(deps.secretBox, c.secretStored, SIGNING_SECRET_CONTEXT.budget(c.budgetId));
      statusCode = await postWebhook(
        deps.outbound,
        { url: c.url, secret, idempotencyKey: c.alertId, body: c.body, at: now, attempt: c.attempt },
        deps.timeoutMs ?? 10_000,
      );
    } catch (err) {
      error = describeFailure(err);
    }
    const delivered = statusCode !== null && statusCode >= 200 && statusCode < 300;
    const status = await deps.db.transaction().execute((tx) =>
      repo.recordAttempt(
        tx,
        c.alertId,
        c.accountId,
        {
          at: now,
          url: c.url!,
          statusCode,
          error,
          durationMs: Math.round(performance.now() - started),
        },
        delivered,
      ),
    );
    const outcome = delivered ? 'delivered' : status === 'failed' ? 'failed' : 'retry';
    deliveries.inc({ outcome });
    if (outcome === 'failed')
      log.warn({ alertId: c.alertId, attempts: c.attempt, error: error ?? `HTTP ${statusCode}` }, 'alert delivery given up');
    return outcome;
  }

  async function detail(alert: Alert) {
    const [delivery, history] = await Promise.all([repo.deliveryOf(alert.id), repo.attemptsOf(alert.id)]);
    return {
      ...toAlertDto(alert, delivery),
      history: history.map((h) => ({
        at: h.at.toISOString(),
        url: h.url,
        statusCode: h.statusCode,
        error: h.error,
        durationMs: h.durationMs,
      })),
    };
  }

  return {
    async list(scope: string | null, q: { budgetId: string | null; period: Period | null; limit: number }) {
      const rows = await repo.list({
        accountId: scope,
        budgetId: q.budgetId,
        period: q.period ? periodDate(q.period) : null,
        limit: q.limit,
      });
      return rows.map((r) => toAlertDto(r, r.delivery));
    },

    get: async (scope: string | null, id: string) => detail(await visible(scope, id)),

    /** Sends the alert again now (a fresh round of retries if this attempt fails), and answers with its history. */
    async redeliver(scope: string | null, id: string) {
      const alert = await visible(scope, id);
      const hook = await deps.budgets.webhookOf(alert.budgetId);
      if (!hook || hook.deleted || hook.url === null) {
        throw new AppError(
          'CONFLICT',
          409,
          `Budget ${alert.budgetId} has ${hook?.deleted ? 'been deleted' : 'no webhookUrl'}: there is nowhere to deliver alert ${id}`,
        );
      }
      const now = deps.clock.now();
      if (!(await repo.requeue(alert.id, alert.accountId, alertBody(alert), now))) throw errors.alertNotFound(id);
      // If a worker claimed it in between, that worker sends it: the answer then shows it pending.
      for (const c of await repo.claimDue(now, 1, alert.id)) await attempt(c, now);
      return detail(alert);
    },

    /** One pass of the delivery worker: claims up to `limit` due deliveries and attempts them in parallel. */
    async deliverDue(limit = 20): Promise<{ attempted: number; delivered: number; failed: number }> {
      const now = deps.clock.now();
      const claimed = await repo.claimDue(now, limit);
      const outcomes = await Promise.all(
        claimed.map((c) =>
          attempt(c, now).catch((err) => {
            log.error({ err, alertId: c.alertId }, 'recording a delivery attempt failed; the claim retries it after the backoff');
            return 'retry' as const;
          }),
        ),
      );
      return {
        attempted: claimed.length,
        delivered: outcomes.filter((o) => o === 'delivered').length,
        failed: outcomes.filter((o) => o === 'failed').length,
      };
    },
  };
}

export type AlertsService = ReturnType<typeof createAlertsService>;
