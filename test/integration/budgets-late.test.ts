// A month's budgets after it ended (late usage), and a cap when the spend falls: found by a review on 2026-12-07.
import { describe, expect, it } from 'vitest';
import { admin, bearer } from '../helpers/app.js';
import { burn, createBudget, payingTenant, useBudgetsApp } from '../helpers/budgets.js';

const t = useBudgetsApp('2026-11-15T12:00:00.000Z');

const alertsOf = async (key: string, period: string) =>
  (await t.app.inject({ method: 'GET', url: `/v1/alerts?period=${period}`, headers: bearer(key) })).json().alerts as {
    threshold: number;
    period: string;
  }[];

describe('budgets after the month, and when the spend falls', () => {
  it('records the alert of a month whose threshold is crossed by usage that arrives just after the month ended', async () => {
    t.clock.set('2026-10-31T23:58:00.000Z');
    const a = await payingTenant(t.app);
    await createBudget(t.app, a.accountKey, { amount: '0.50', thresholds: [100] });
    await burn(t.app, a, 3, { at: new Date('2026-10-31T23:30:00.000Z') }); // 0.45 of 0.50
    await t.services.budgets.evaluate([a.id], 'schedule');
    expect(await alertsOf(a.accountKey, '2026-10')).toEqual([]);

    // An invocation of 23:59 October 31 whose usage reaches the api a few seconds into November:
    // the October bill is now 0.60 (it is in October's draft and will be in its invoice) ...
    t.clock.set('2026-11-01T00:00:10.000Z');
    await burn(t.app, a, 1, { at: new Date('2026-10-31T23:59:00.000Z') });
    await t.services.budgets.flush();
    await t.services.budgets.evaluate([a.id], 'ingest');
    await t.services.budgets.evaluateAll();
    const invoices = await t.app.inject({ method: 'GET', url: '/v1/invoices?period=2026-10', headers: bearer(a.accountKey) });
    expect(invoices.json().invoices.map((i: { total: string }) => i.total)).toEqual(['0.60']);

    // ... so October's 100 % threshold was crossed, and its one alert should exist.
    expect((await alertsOf(a.accountKey, '2026-10')).map((x) => x.threshold)).toEqual([100]);
  });

  it('lifts a hard cap when the actual spend falls below the amount (free tier switched on mid-month)', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await payingTenant(t.app);
    const cap = await createBudget(t.app, a.accountKey, { amount: '0.50', hardCap: true, thresholds: [100] });
    await burn(t.app, a, 4, { at: new Date('2026-11-15T11:00:00.000Z') }); // 0.60, over the cap
    await t.services.budgets.evaluate([a.id], 'schedule');
    expect(t.services.budgets.capFor(a.id, 'fn-a')?.budgetId).toBe(cap.id);

    // The operator grants the free tier: 36,000 GB-s is inside it, the month's actual spend is now 0.00.
    const granted = await t.app.inject({
      method: 'PATCH',
      url: `/v1/accounts/${a.id}`,
      headers: admin,
      payload: { freeTier: true, reason: 'goodwill' },
    });
    expect(granted.statusCode, granted.body).toBe(200);
    await t.services.budgets.evaluate([a.id], 'schedule');
    const cost = (await t.app.inject({ method: 'GET', url: '/v1/cost/current', headers: bearer(a.accountKey) })).json();
    expect(cost.budgets[0]).toMatchObject({ id: cap.id, spend: '0.00', capped: false }); // what the account is told

    // ... but invocations are still refused with 402, for the rest of the month.
    expect(t.services.budgets.capFor(a.id, 'fn-a')).toBeNull();
  });

  it("does not give a budget made after a month ended an alert of that month, nor look back past the month's first day", async () => {
    t.clock.set('2026-10-31T22:00:00.000Z');
    const a = await payingTenant(t.app);
    await burn(t.app, a, 4, { at: new Date('2026-10-31T21:00:00.000Z') }); // 0.60 in October
    t.clock.set('2026-11-01T00:05:00.000Z');
    await createBudget(t.app, a.accountKey, { amount: '0.50', thresholds: [100] });
    await t.services.budgets.evaluate([a.id], 'schedule');
    expect(await alertsOf(a.accountKey, '2026-10')).toEqual([]);

    const b = await payingTenant(t.app);
    t.clock.set('2026-10-31T22:00:00.000Z');
    await createBudget(t.app, b.accountKey, { amount: '0.50', thresholds: [100] });
    t.clock.set('2026-11-02T00:00:01.000Z'); // past the window: October is not measured again
    await burn(t.app, b, 4, { at: new Date('2026-10-31T23:00:00.000Z') });
    await t.services.budgets.evaluate([b.id], 'schedule');
    expect(await alertsOf(b.accountKey, '2026-10')).toEqual([]);
  });
});

describe('a budget changed after its month ended', () => {
  // Found by review: the late evaluation of the month just ended measured it against the budget as it
  // is now, so lowering a budget for the new month on its first day raised alerts "of" the old month
  // for thresholds the old month's budget never reached.
  it('gives the month just ended no alert measured against the new amount or thresholds', async () => {
    t.clock.set('2026-10-20T12:00:00.000Z');
    const a = await payingTenant(t.app);
    const budget = await createBudget(t.app, a.accountKey, { amount: '1.00', thresholds: [50, 100] });
    await burn(t.app, a, 3, { at: new Date('2026-10-20T11:00:00.000Z') }); // 0.45 of 1.00 in October
    await t.services.budgets.evaluate([a.id], 'schedule');
    expect(await alertsOf(a.accountKey, '2026-10')).toEqual([]);

    // Half an hour into November the account lowers its budget for November (and adds a threshold).
    t.clock.set('2026-11-01T00:30:00.000Z');
    const changed = await t.app.inject({
      method: 'PATCH',
      url: `/v1/budgets/${budget.id}`,
      headers: bearer(a.accountKey),
      payload: { amount: '0.40', thresholds: [25, 50, 100], reason: 'tighter for November' },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    await t.services.budgets.evaluateAll();

    // October's budget was 1.00 with thresholds 50 and 100: October spent 45 % of it and crossed none.
    expect(await alertsOf(a.accountKey, '2026-10')).toEqual([]);
    expect(await alertsOf(a.accountKey, '2026-11')).toEqual([]);
  });
});
