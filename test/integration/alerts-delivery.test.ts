import { describe, expect, it, vi } from 'vitest';
import { startAlertDelivery } from '../../src/jobs/budget-alerts.js';
import { silentLogger } from '../../src/lib/logger.js';
import { bearer } from '../helpers/app.js';
import { burn, createBudget, payingTenant, startReceiver, useBudgetsApp, verifySignature } from '../helpers/budgets.js';

// The receivers listen on loopback, which tenants' webhooks may reach only when the operator allows it.
const t = useBudgetsApp('2026-11-20T12:00:00.000Z', { webhooks: { allowPrivate: true } });
const earlier = () => new Date(t.clock.now().getTime() - 3600_000);

async function alertsOf(key: string, query = '') {
  return (await t.app.inject({ method: 'GET', url: `/v1/alerts${query}`, headers: bearer(key) })).json().alerts as {
    id: string;
    threshold: number;
    delivery: { status: string; attempts: number; nextAttemptAt: string | null; lastError: string | null };
  }[];
}

const detail = async (key: string, id: string) =>
  (await t.app.inject({ method: 'GET', url: `/v1/alerts/${id}`, headers: bearer(key) })).json();

describe('webhook delivery', () => {
  it('delivers each crossed threshold once, signed, with an idempotency key, and logs the attempt', async () => {
    const receiver = await startReceiver();
    try {
      const a = await payingTenant(t.app);
      const budget = await createBudget(t.app, a.accountKey, { amount: '1.00', webhookUrl: receiver.url });
      await burn(t.app, a, 6, { at: earlier() }); // 0.90: 50 % and 80 %
      await t.services.budgets.evaluate([a.id], 'schedule');
      expect(await t.services.alerts.deliverDue()).toEqual({ attempted: 2, delivered: 2, failed: 0 });
      expect(receiver.received).toHaveLength(2);
      for (const r of receiver.received) {
        expect(verifySignature(budget.secret, r)).toBe(true);
        expect(verifySignature('whsec_someone-else', r)).toBe(false);
        expect(r.headers['x-tally-timestamp']).toBe(String(Math.floor(t.clock.now().getTime() / 1000)));
        expect(r.headers['content-type']).toBe('application/json');
        const body = JSON.parse(r.body);
        expect(r.headers['x-tally-idempotency-key']).toBe(body.id);
        expect(body).toMatchObject({
          type: 'budget.threshold_crossed',
          accountId: a.id,
          budgetId: budget.id,
          basis: 'actual',
          period: '2026-11',
          spend: '0.90',
          amount: '1.00',
          currency: 'USD',
          createdAt: t.clock.now().toISOString(),
        });
      }
      const bodies = receiver.received.map((r) => JSON.parse(r.body));
      expect(bodies.map((b) => [b.threshold, b.percent]).sort()).toEqual([
        [50, '90.00'],
        [80, '90.00'],
      ]);
      // a tampered body no longer verifies
      expect(verifySignature(budget.secret, { ...receiver.received[0]!, body: receiver.received[0]!.body.replace('0.90', '0.10') })).toBe(
        false,
      );

      // nothing is due any more; the next crossing sends only the new threshold
      expect((await t.services.alerts.deliverDue()).attempted).toBe(0);
      await burn(t.app, a, 1, { at: earlier() });
      await t.services.budgets.evaluate([a.id], 'schedule');
      await t.services.alerts.deliverDue();
      expect(receiver.received.map((r) => JSON.parse(r.body).threshold)).toEqual(expect.arrayContaining([50, 80, 100]));
      expect(receiver.received).toHaveLength(3);

      const alerts = await alertsOf(a.accountKey);
      expect(alerts.map((x) => x.delivery.status)).toEqual(['delivered', 'delivered', 'delivered']);
      const one = await detail(a.accountKey, bodies[0].id);
      expect(one.history).toEqual([
        { at: t.clock.now().toISOString(), url: receiver.url, statusCode: 200, error: null, durationMs: expect.any(Number) },
      ]);
      expect(one.delivery).toMatchObject({
        status: 'delivered',
        attempts: 1,
        deliveredAt: t.clock.now().toISOString(),
        nextAttemptAt: null,
      });
    } finally {
      await receiver.close();
    }
  });

  it('keeps retrying with backoff while the receiver is down, and delivers once it is up', async () => {
    const probe = await startReceiver();
    const port = probe.port;
    await probe.close(); // the receiver is down: connections are refused
    const a = await payingTenant(t.app);
    const budget = await createBudget(t.app, a.accountKey, {
      amount: '1.00',
      thresholds: [100],
      webhookUrl: `http://127.0.0.1:${port}/hook`,
    });
    await burn(t.app, a, 7, { at: earlier() });
    await t.services.budgets.evaluate([a.id], 'schedule');
    const start = t.clock.now().getTime();

    expect(await t.services.alerts.deliverDue()).toMatchObject({ attempted: 1, delivered: 0 });
    const [alert] = await alertsOf(a.accountKey);
    expect(alert!.delivery).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: new Date(start + 30_000).toISOString() });
    expect(alert!.delivery.lastError).toMatch(/ECONNREFUSED|connect/i);
    // not due yet: nothing is attempted before the backoff
    t.clock.advance(29_000);
    expect((await t.services.alerts.deliverDue()).attempted).toBe(0);
    t.clock.advance(1_000);
    expect(await t.services.alerts.deliverDue()).toMatchObject({ attempted: 1, delivered: 0 });
    expect((await alertsOf(a.accountKey))[0]!.delivery.nextAttemptAt).toBe(new Date(start + 30_000 + 60_000).toISOString());

    const receiver = await startReceiver({ port }); // back up
    try {
      t.clock.advance(60_000);
      expect(await t.services.alerts.deliverDue()).toMatchObject({ attempted: 1, delivered: 1 });
      expect(receiver.received).toHaveLength(1);
      expect(verifySignature(budget.secret, receiver.received[0]!)).toBe(true);
      const d = await detail(a.accountKey, alert!.id);
      expect(d.history.map((h: { statusCode: number | null; error: string | null }) => [h.statusCode, h.error !== null])).toEqual([
        [null, true],
        [null, true],
        [200, false],
      ]);
      expect(d.delivery.status).toBe('delivered');
    } finally {
      await receiver.close();
    }
  });

  it('treats a non-2xx answer as a failure, gives up after 3 days, and sends again on request', async () => {
    const receiver = await startReceiver({ status: 500 });
    try {
      const a = await payingTenant(t.app);
      const budget = await createBudget(t.app, a.accountKey, { amount: '1.00', thresholds: [10], webhookUrl: receiver.url });
      await burn(t.app, a, 1, { at: earlier() });
      await t.services.budgets.evaluate([a.id], 'schedule');
      const [alert] = await alertsOf(a.accountKey);
      let attempts = 0;
      for (let hours = 0; hours <= 80 && (await alertsOf(a.accountKey))[0]!.delivery.status === 'pending'; hours++) {
        attempts += (await t.services.alerts.deliverDue()).attempted;
        t.clock.advance(3600_000);
      }
      const failed = await detail(a.accountKey, alert!.id);
      expect(failed.delivery.status).toBe('failed');
      expect(failed.delivery.lastError).toBe('HTTP 500');
      expect(failed.history).toHaveLength(attempts);
      expect(failed.history.every((h: { statusCode: number }) => h.statusCode === 500)).toBe(true);
      const span = Date.parse(failed.history.at(-1).at) - Date.parse(failed.history[0].at);
      expect(span).toBeLessThanOrEqual(3 * 86400_000);
      expect(span).toBeGreaterThan(2 * 86400_000);
      // all attempts carry the same id and body
      expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);

      receiver.state.status = 204;
      const again = await t.app.inject({ method: 'POST', url: `/v1/alerts/${alert!.id}/redeliver`, headers: bearer(a.accountKey) });
      expect(again.statusCode).toBe(200);
      expect(again.json().delivery).toMatchObject({ status: 'delivered', attempts: 1 });
      expect(again.json().history.at(-1)).toMatchObject({ statusCode: 204, error: null });
      const last = receiver.received.at(-1)!;
      expect(last.body).toBe(receiver.received[0]!.body);
      expect(verifySignature(budget.secret, last)).toBe(true);
    } finally {
      await receiver.close();
    }
  });

  it('records alerts without a webhook, refuses to redeliver them, and cancels deliveries of a deleted budget', async () => {
    const a = await payingTenant(t.app);
    const silent = await createBudget(t.app, a.accountKey, { amount: '1.00', thresholds: [10] });
    const hooked = await createBudget(t.app, a.accountKey, { amount: '1.00', thresholds: [10], webhookUrl: 'http://127.0.0.1:9/never' });
    await burn(t.app, a, 1, { at: earlier() });
    await t.services.budgets.evaluate([a.id], 'schedule');
    const silentAlert = (await alertsOf(a.accountKey, `?budgetId=${silent.id}`))[0]!;
    expect(silentAlert.delivery).toMatchObject({ status: 'none', attempts: 0 });
    const r = await t.app.inject({ method: 'POST', url: `/v1/alerts/${silentAlert.id}/redeliver`, headers: bearer(a.accountKey) });
    expect(r.statusCode).toBe(409);
    await t.app.inject({ method: 'DELETE', url: `/v1/budgets/${hooked.id}`, headers: bearer(a.accountKey) });
    const hookedAlert = (await alertsOf(a.accountKey, `?budgetId=${hooked.id}`))[0]!;
    expect(hookedAlert.delivery).toMatchObject({ status: 'cancelled', lastError: 'the budget was deleted' });
    expect(await alertsOf(a.accountKey, '?period=2026-10')).toEqual([]);
    expect(await alertsOf(a.accountKey, '?period=2026-11')).toHaveLength(2);
  });

  it('delivers on its own as the worker job, which stops cleanly', async () => {
    const receiver = await startReceiver();
    const worker = startAlertDelivery({ alerts: t.services.alerts, log: silentLogger(), intervalMs: 20 });
    try {
      const a = await payingTenant(t.app);
      const budget = await createBudget(t.app, a.accountKey, { amount: '1.00', thresholds: [10], webhookUrl: receiver.url });
      await burn(t.app, a, 1, { at: earlier() });
      await t.services.budgets.evaluate([a.id], 'schedule');
      await vi.waitFor(() => expect(receiver.received).toHaveLength(1), { timeout: 5_000, interval: 20 });
      expect(JSON.parse(receiver.received[0]!.body).budgetId).toBe(budget.id);
    } finally {
      await worker.stop();
      await receiver.close();
    }
  });
});
