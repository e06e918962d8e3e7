import { periodFromDate } from '../../lib/period.js';
import type { Alert } from './alerts.repository.js';

export { describeFailure, newSigningSecret, postWebhook, signature } from '../../lib/webhooks.js';

/** The webhook body, built from the stored alert only, so a redelivery sends the very same bytes. */
export function alertBody(a: Alert): string {
  return JSON.stringify({
    id: a.id,
    type: 'budget.threshold_crossed',
    accountId: a.accountId,
    budgetId: a.budgetId,
    threshold: a.threshold,
    basis: a.basis,
    period: periodFromDate(a.period),
    spend: a.spend,
    amount: a.amount,
    percent: a.percent,
    actual: a.actual,
    forecast: a.forecast,
    currency: 'USD',
    createdAt: a.createdAt.toISOString(),
  });
}
