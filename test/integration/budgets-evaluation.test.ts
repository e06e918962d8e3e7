import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { bearer, postUsage, usageEvent } from '../helpers/app.js';
import { burn, createBudget, payingTenant, useBudgetsApp } from '../helpers/budgets.js';

// A budget here names a loopback webhook, which the operator must allow.
const t = useBudgetsApp('2026-11-15T12:00:00.000Z', { webhooks: { allowPrivate: true } });

const alertsOf = async (key: string) =>
  (await t.app.inject({ method: 'GET', url: '/v1/alerts', headers: bearer(key) })).json().alerts as {
    budgetId: string;
    threshold: number;
    basis: string;
    createdAt: string;
    spend: string;
  }[];

async function evaluationsCounted(): Promise<number> {
  const metric = await t.services.metrics.registry.getSingleMetric('tally_budget_evaluations_total')!.get();
  return metric.values.filter((v) => v.labels.trigger === 'ingest').reduce((n, v) => n + v.value, 0);
}

describe('budget evaluation', () => {
  it('records exactly one alert (and one outbox row) per threshold under concurrent ingestion and evaluation on several replicas', async () => {
    const a = await payingTenant(t.app);
    const budget = await createBudget(t.app, a.accountKey, {
      amount: '1.00',
      thresholds: [20, 50, 80, 100],
      webhookUrl: 'http://127.0.0.1:9/hook',
    });
    const replicas = [t.services, t.replica(), t.replica()];
    const at = new Date(t.clock.now().getTime() - 60_000);
    const evaluations = (n: number) =>
      Array.from({ length: n }, (_, i) => replicas[i % replicas.length]!.budgets.evaluate([a.id], 'schedule'));
    // 8 batches of one $0.15 invocation each (1.20 in all), racing 12 evaluations, then 6 more at once
    const answers = await Promise.all([
      ...Array.from({ length: 8 }, () =>
        postUsage(t.app, a.executorKey, [usageEvent(a.id, { memoryMb: 10_240, durationMs: 900_000, startedAt: at.toISOString() })]),
      ),
      ...evaluations(12),
    ]);
    expect(answers.slice(0, 8).map((r) => (typeof r === 'object' ? r.statusCode : r))).toEqual(Array(8).fill(200));
    await Promise.all(evaluations(6));
    const alerts = await alertsOf(a.accountKey);
    expect(alerts.map((x) => x.threshold).sort((x, y) => x - y)).toEqual([20, 50, 80, 100]);
    const { rows } = await sql<{ n: string }>`
      select count(*)::text as n from budget_alert_outbox o join budget_alerts al on al.id = o.alert_id where al.budget_id = ${budget.id}`.execute(
      t.db.db,
    );
    expect(rows[0]!.n).toBe('4');
  });

  it('evaluates after ingest, debounced: a burst of batches is one evaluation, after the ingest answered', async () => {
    const a = await payingTenant(t.app);
    await createBudget(t.app, a.accountKey, { amount: '1.00', thresholds: [50] });
    await t.services.budgets.flush();
    const before = await evaluationsCounted();
    const at = new Date(t.clock.now().getTime() - 60_000);
    for (let i = 0; i < 5; i++) await burn(t.app, a, 1, { at });
    // the answers came back before any evaluation ran
    expect(await alertsOf(a.accountKey)).toEqual([]);
    await new Promise((r) => setTimeout(r, 1_300)); // the 1 s debounce fires on its own
    await t.services.budgets.flush();
    expect(await evaluationsCounted()).toBe(before + 1);
    expect((await alertsOf(a.accountKey)).map((x) => [x.threshold, x.spend])).toEqual([[50, '0.75']]);
  });

  it("lets one replica run each minute's evaluation of every budget", async () => {
    const a = await payingTenant(t.app);
    await createBudget(t.app, a.accountKey, { amount: '1.00', thresholds: [10] });
    await burn(t.app, a, 1, { at: new Date(t.clock.now().getTime() - 60_000) });
    t.clock.advance(60_000);
    const results = await Promise.all([t.services, t.replica(), t.replica()].map((s) => s.budgets.tick()));
    expect(results.filter((r) => r.ran)).toHaveLength(1);
    expect(await alertsOf(a.accountKey)).toHaveLength(1);
    // the same minute again: nobody runs it; the next minute: one replica does
    expect((await t.services.budgets.tick()).ran).toBe(false);
    t.clock.advance(60_000);
    expect((await t.services.budgets.tick()).ran).toBe(true);
  });

  it('fires forecast alerts before actual ones on a steady workload', async () => {
    t.clock.set('2026-12-01T00:00:00.000Z');
    const a = await payingTenant(t.app);
    const forecast = await createBudget(t.app, a.accountKey, { amount: '3.00', thresholds: [80, 100], basis: 'forecast' });
    const actual = await createBudget(t.app, a.accountKey, { amount: '3.00', thresholds: [80, 100], basis: 'actual' });
    const firstAlert = new Map<string, string>();
    // one $0.15 invocation every 6 hours (0.60 a day, 18.60 a month); evaluated after each
    for (let step = 1; step <= 4 * 6; step++) {
      await burn(t.app, a, 1, { at: new Date(t.clock.now().getTime() + 3600_000) });
      t.clock.advance(6 * 3600_000);
      await t.services.budgets.evaluate([a.id], 'schedule');
      for (const x of await alertsOf(a.accountKey))
        if (!firstAlert.has(`${x.basis}/${x.threshold}`)) firstAlert.set(`${x.basis}/${x.threshold}`, t.clock.now().toISOString());
    }
    // a forecast from less than a day of data is noise: nothing before the first day has passed
    expect(firstAlert.get('forecast/80')).toBe('2026-12-02T00:00:00.000Z');
    expect(firstAlert.get('forecast/100')).toBe('2026-12-02T00:00:00.000Z');
    // actual: 2.40 after 16 invocations (4 days), 3.00 after 20 (5 days)
    expect(firstAlert.get('actual/80')).toBe('2026-12-05T00:00:00.000Z');
    expect(firstAlert.get('actual/100')).toBe('2026-12-06T00:00:00.000Z');
    const alerts = await alertsOf(a.accountKey);
    expect(alerts.filter((x) => x.budgetId === forecast.id)).toHaveLength(2);
    expect(alerts.filter((x) => x.budgetId === actual.id)).toHaveLength(2);
  });

  it('measures a budget changed in the month afresh: raised after its 100 % alert, it warns again before its new amount', async () => {
    t.clock.set('2027-02-10T00:00:00.000Z');
    const a = await payingTenant(t.app);
    const budget = await createBudget(t.app, a.accountKey, { amount: '0.30', thresholds: [50, 100], hardCap: true });
    // $0.30 spent: 50 and 100 % of $0.30; the cap stops the account.
    await burn(t.app, a, 2, { at: new Date('2027-02-09T00:00:00Z') });
    await t.services.budgets.evaluate([a.id], 'schedule');
    const amounts = async () =>
      (await alertsOf(a.accountKey)).map((x) => `${x.threshold}% of ${(x as unknown as { amount: string }).amount}`).sort();
    expect(await amounts()).toEqual(['100% of 0.30', '50% of 0.30']);
    // Raised to $0.90 to keep running: $0.30 is a third of it, under both thresholds; nothing new yet.
    const raised = await t.app.inject({
      method: 'PATCH',
      url: `/v1/budgets/${budget.id}`,
      headers: bearer(a.accountKey),
      payload: { amount: '0.90' },
    });
    expect(raised.statusCode, raised.body).toBe(200);
    await t.services.budgets.evaluate([a.id], 'schedule');
    expect(await amounts()).toEqual(['100% of 0.30', '50% of 0.30']);
    // $0.45: half of the new amount, a warning before the new cap; then $0.90, the new cap itself.
    await burn(t.app, a, 1, { at: new Date('2027-02-09T06:00:00Z') });
    await t.services.budgets.evaluate([a.id], 'schedule');
    expect(await amounts()).toEqual(['100% of 0.30', '50% of 0.30', '50% of 0.90']);
    await burn(t.app, a, 3, { at: new Date('2027-02-09T12:00:00Z') });
    await t.services.budgets.evaluate([a.id], 'schedule');
    expect(await amounts()).toEqual(['100% of 0.30', '100% of 0.90', '50% of 0.30', '50% of 0.90']);
    // Evaluated again, nothing is recorded twice.
    await t.services.budgets.evaluate([a.id], 'schedule');
    expect(await alertsOf(a.accountKey)).toHaveLength(4);
  });

  it("evaluates a new month from zero: last month's alerts do not carry over", async () => {
    t.clock.set('2026-12-20T00:00:00.000Z');
    const a = await payingTenant(t.app);
    await createBudget(t.app, a.accountKey, { amount: '0.10', thresholds: [100] });
    await burn(t.app, a, 1, { at: new Date('2026-12-19T00:00:00Z') });
    await t.services.budgets.evaluate([a.id], 'schedule');
    t.clock.set('2027-01-02T00:00:00.000Z');
    await t.services.budgets.evaluate([a.id], 'schedule');
    expect((await alertsOf(a.accountKey)).length).toBe(1);
    await burn(t.app, a, 1, { at: new Date('2027-01-01T12:00:00Z') });
    await t.services.budgets.evaluate([a.id], 'schedule');
    const alerts = await t.app.inject({ method: 'GET', url: '/v1/alerts?period=2027-01', headers: bearer(a.accountKey) });
    expect(alerts.json().alerts.map((x: { period: string; threshold: number }) => [x.period, x.threshold])).toEqual([['2027-01', 100]]);
  });
});
