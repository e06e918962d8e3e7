import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { admin, bearer, newTenant, usageEvent } from '../helpers/app.js';
import { burn, createBudget, payingTenant, startReceiver, useBudgetsApp } from '../helpers/budgets.js';

/** The money paths at /metrics: invoice runs, alert deliveries, quarantined usage, the database itself. */
// The alert receivers listen on loopback: the operator's switch for private webhooks is on here.
const t = useBudgetsApp('2026-11-20T12:00:00.000Z', { webhooks: { allowPrivate: true } });

async function metric(name: string, labels = ''): Promise<number> {
  const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line === undefined ? NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const runInvoices = (period: string) => t.app.inject({ method: 'POST', url: '/v1/invoices/run', headers: admin, payload: { period } });

describe('money metrics', () => {
  it('times invoice runs by outcome, counts failures and finalized invoices, but not a refused open month', async () => {
    await burn(t.app, await payingTenant(t.app), 1, { at: new Date('2026-10-15T12:00:00.000Z') });
    expect((await runInvoices('2026-10')).statusCode).toBe(200);
    expect(await metric('tally_invoice_run_seconds_count', '{outcome="success"}')).toBe(1);
    expect(await metric('tally_invoices_finalized_total')).toBeGreaterThanOrEqual(1);
    expect(await metric('tally_invoice_run_failures_total')).toBe(0);

    expect((await runInvoices('2026-11')).statusCode).toBe(409);
    expect(await metric('tally_invoice_run_failures_total')).toBe(0);

    // A run that breaks: the database refuses the api's writes to invoices for a moment.
    await sql`revoke insert on invoices from tally_app`.execute(t.db.owner);
    try {
      await burn(t.app, await payingTenant(t.app), 1, { at: new Date('2026-09-15T12:00:00.000Z') });
      expect((await runInvoices('2026-09')).statusCode).toBe(500);
    } finally {
      await sql`grant insert on invoices to tally_app`.execute(t.db.owner);
    }
    expect(await metric('tally_invoice_run_failures_total')).toBe(1);
    expect(await metric('tally_invoice_run_seconds_count', '{outcome="failure"}')).toBe(1);
  });

  it('counts alert deliveries by outcome and shows what still waits, and for how long', async () => {
    const receiver = await startReceiver({ status: 500 });
    try {
      const a = await payingTenant(t.app);
      await createBudget(t.app, a.accountKey, { amount: '1.00', thresholds: [50], webhookUrl: receiver.url });
      await burn(t.app, a, 4, { at: new Date(t.clock.now().getTime() - 3600_000) });
      await t.services.budgets.evaluate([a.id], 'schedule');
      expect((await t.services.alerts.deliverDue()).attempted).toBe(1);
      expect(await metric('tally_alert_deliveries_total', '{outcome="retry"}')).toBe(1);
      expect(await metric('tally_alert_deliveries_pending')).toBe(1);
      expect(await metric('tally_alert_delivery_oldest_pending_seconds')).toBeGreaterThan(0);

      receiver.state.status = 200;
      const [alert] = (await t.app.inject({ method: 'GET', url: '/v1/alerts', headers: bearer(a.accountKey) })).json().alerts;
      await t.app.inject({ method: 'POST', url: `/v1/alerts/${alert.id}/redeliver`, headers: bearer(a.accountKey) });
      expect(await metric('tally_alert_deliveries_total', '{outcome="delivered"}')).toBe(1);
      expect(await metric('tally_alert_deliveries_pending')).toBe(0);
      expect(await metric('tally_alert_delivery_oldest_pending_seconds')).toBe(0);
    } finally {
      await receiver.close();
    }
  });

  it('counts quarantined usage stored, and what is not replayed yet across replicas', async () => {
    const a = await newTenant(t.app);
    const bad = [usageEvent(a.id, { memoryMb: 1 }), usageEvent(a.id, { memoryMb: 2 })];
    const stored = await t.app.inject({
      method: 'POST',
      url: '/v1/usage/quarantine',
      headers: bearer(a.executorKey),
      payload: { entries: bad.map((event) => ({ event, reason: 'memoryMb out of range' })) },
    });
    expect(stored.statusCode).toBe(200);
    expect(await metric('tally_usage_quarantined_total')).toBe(2);
    expect(await metric('tally_usage_quarantine_unreplayed')).toBe(2);
    expect(await metric('tally_database_up')).toBe(1);
  });
});
