import { describe, expect, it } from 'vitest';
import { admin, bearer } from '../helpers/app.js';
import { burn, createBudget, payingTenant, useBudgetsApp } from '../helpers/budgets.js';

const t = useBudgetsApp('2026-11-11T00:00:00.000Z');
const noon = () => new Date(t.clock.now().getTime() - 3600_000);

describe('budgets CRUD', () => {
  it('creates a budget with defaults and shows the signing secret once', async () => {
    const a = await payingTenant(t.app);
    const created = await createBudget(t.app, a.accountKey, { amount: '25.5', webhookUrl: 'https://example.com/hooks/tally' });
    expect(created).toMatchObject({
      accountId: a.id,
      amount: '25.50',
      currency: 'USD',
      thresholds: [50, 80, 100],
      basis: 'actual',
      functionId: null,
      hardCap: false,
      webhookUrl: 'https://example.com/hooks/tally',
    });
    expect(created.secret).toMatch(/^whsec_[\w-]{43}$/);
    const got = await t.app.inject({ method: 'GET', url: `/v1/budgets/${created.id}`, headers: bearer(a.accountKey) });
    expect(got.statusCode).toBe(200);
    expect(got.json()).not.toHaveProperty('secret');
    const list = await t.app.inject({ method: 'GET', url: '/v1/budgets', headers: bearer(a.accountKey) });
    expect(list.json().budgets.map((b: { id: string }) => b.id)).toEqual([created.id]);
    expect(JSON.stringify(list.json())).not.toContain(created.secret);
  });

  it('changes and deletes a budget, each change written to the audit log', async () => {
    const a = await payingTenant(t.app);
    const b = await createBudget(t.app, a.accountKey, { amount: '10', thresholds: [100, 50], basis: 'forecast', hardCap: true });
    expect(b.thresholds).toEqual([50, 100]);
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/v1/budgets/${b.id}`,
      headers: bearer(a.accountKey),
      payload: { amount: '12.00', functionId: 'fn-x', webhookUrl: null, reason: 'more traffic expected' },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ amount: '12.00', functionId: 'fn-x', basis: 'forecast', hardCap: true, webhookUrl: null });
    const del = await t.app.inject({ method: 'DELETE', url: `/v1/budgets/${b.id}`, headers: bearer(a.accountKey) });
    expect(del.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: `/v1/budgets/${b.id}`, headers: bearer(a.accountKey) })).json().error.code).toBe(
      'BUDGET_NOT_FOUND',
    );
    const log = await t.app.inject({ method: 'GET', url: `/v1/audit?accountId=${a.id}`, headers: admin });
    // The account's keys made for the test are audited too (key.created): the budget's own entries are these.
    const entries = (
      log.json().entries as { action: string; subject: string; reason: string | null; details: Record<string, unknown> }[]
    ).filter((e) => e.action.startsWith('budget.'));
    expect(entries.map((e) => e.action)).toEqual(['budget.deleted', 'budget.changed', 'budget.created']);
    expect(entries.every((e) => e.subject === b.id)).toBe(true);
    expect(entries[1]).toMatchObject({
      reason: 'more traffic expected',
      details: { from: { amount: '10.00' }, to: { amount: '12.00', functionId: 'fn-x' } },
    });
  });

  it('lets an admin act for an account with X-Account-Id and see every account without it', async () => {
    const a = await payingTenant(t.app);
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/budgets',
      headers: { ...admin, 'x-account-id': a.id },
      payload: { amount: '3' },
    });
    expect(r.statusCode).toBe(201);
    expect(r.json().accountId).toBe(a.id);
    expect((await t.app.inject({ method: 'POST', url: '/v1/budgets', headers: admin, payload: { amount: '3' } })).json().error.code).toBe(
      'ACCOUNT_REQUIRED',
    );
    const all = await t.app.inject({ method: 'GET', url: '/v1/budgets', headers: admin });
    expect(all.json().budgets.map((b: { id: string }) => b.id)).toContain(r.json().id);
  });

  it("answers another tenant's budget and alerts as not found", async () => {
    const a = await payingTenant(t.app);
    const b = await payingTenant(t.app);
    const budget = await createBudget(t.app, a.accountKey, { amount: '0.10' });
    await burn(t.app, a, 1, { at: noon() });
    await t.services.budgets.evaluate([a.id], 'schedule');
    const alerts = (await t.app.inject({ method: 'GET', url: '/v1/alerts', headers: bearer(a.accountKey) })).json().alerts;
    expect(alerts).toHaveLength(3);
    for (const [method, url] of [
      ['GET', `/v1/budgets/${budget.id}`],
      ['PATCH', `/v1/budgets/${budget.id}`],
      ['DELETE', `/v1/budgets/${budget.id}`],
      ['GET', `/v1/alerts/${alerts[0].id}`],
      ['POST', `/v1/alerts/${alerts[0].id}/redeliver`],
    ] as const) {
      const r = await t.app.inject({
        method,
        url,
        headers: bearer(b.accountKey),
        ...(method === 'PATCH' ? { payload: { amount: '1' } } : {}),
      });
      expect(r.statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await t.app.inject({ method: 'GET', url: '/v1/alerts', headers: bearer(b.accountKey) })).json().alerts).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: '/v1/budgets', headers: bearer(b.accountKey) })).json().budgets).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: '/v1/budgets/not-a-uuid', headers: bearer(a.accountKey) })).statusCode).toBe(404);
  });

  it.each([
    [{ amount: '0' }, 'amount'],
    [{ amount: '0.00' }, 'amount'],
    [{ amount: 10 }, 'amount'],
    [{ amount: '-1' }, 'amount'],
    [{ amount: '1.005' }, 'amount'],
    [{ amount: '1', thresholds: [] }, 'thresholds'],
    [{ amount: '1', thresholds: [50, 50] }, 'thresholds'],
    [{ amount: '1', thresholds: [0] }, 'thresholds[0]'],
    [{ amount: '1', thresholds: [1001] }, 'thresholds[0]'],
    [{ amount: '1', thresholds: [50.5] }, 'thresholds[0]'],
    [{ amount: '1', basis: 'hope' }, 'basis'],
    [{ amount: '1', webhookUrl: 'ftp://example.com/x' }, 'webhookUrl'],
    [{ amount: '1', webhookUrl: 'not a url' }, 'webhookUrl'],
    [{ amount: '1', functionId: '' }, 'functionId'],
    [{ amount: '1', hardCap: 'yes' }, 'hardCap'],
    [{ amount: '1', secret: 'mine' }, 'body'],
    [{}, 'body'],
  ])('refuses %j with 400 naming %s', async (payload, field) => {
    const a = await payingTenant(t.app);
    const r = await t.app.inject({ method: 'POST', url: '/v1/budgets', headers: bearer(a.accountKey), payload });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.code).toBe('VALIDATION_FAILED');
    expect(r.json().error.message).toContain(field);
  });

  it('keeps an account to 50 budgets when creations come at once', async () => {
    const a = await payingTenant(t.app);
    for (let i = 0; i < 47; i++) await createBudget(t.app, a.accountKey, { amount: `${i + 1}` });
    const burst = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t.app.inject({ method: 'POST', url: '/v1/budgets', headers: bearer(a.accountKey), payload: { amount: `${100 + i}` } }),
      ),
    );
    expect(burst.map((r) => r.statusCode).sort()).toEqual([201, 201, 201, 409, 409, 409, 409, 409]);
    const refused = burst.find((r) => r.statusCode === 409)!;
    expect(refused.json().error).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/at most 50 budgets/) });
    const list = await t.app.inject({ method: 'GET', url: '/v1/budgets', headers: bearer(a.accountKey) });
    expect(list.json().budgets).toHaveLength(50);
  });

  it('refuses an empty or bad change with 400', async () => {
    const a = await payingTenant(t.app);
    const b = await createBudget(t.app, a.accountKey, { amount: '1' });
    for (const payload of [{}, { reason: 'nothing' }, { amount: '0' }, { thresholds: [5, 5] }, { hardCap: null }]) {
      const r = await t.app.inject({ method: 'PATCH', url: `/v1/budgets/${b.id}`, headers: bearer(a.accountKey), payload });
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
    }
  });

  it('needs an account or admin key', async () => {
    const a = await payingTenant(t.app);
    expect((await t.app.inject({ method: 'GET', url: '/v1/budgets' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/v1/alerts', headers: bearer(a.executorKey) })).statusCode).toBe(403);
  });
});

describe('GET /v1/cost/current with budgets', () => {
  it("shows each budget's spend, percentage and forecast, priced like the invoice", async () => {
    const a = await payingTenant(t.app);
    const whole = await createBudget(t.app, a.accountKey, { amount: '2.00', basis: 'forecast' });
    const hot = await createBudget(t.app, a.accountKey, { amount: '1.00', functionId: 'fn-hot', hardCap: true });
    const idle = await createBudget(t.app, a.accountKey, { amount: '1.00', functionId: 'fn-idle' });
    await burn(t.app, a, 3, { at: noon(), functionId: 'fn-hot' });
    await burn(t.app, a, 1, { at: noon(), functionId: 'fn-cold' });
    const r = await t.app.inject({ method: 'GET', url: '/v1/cost/current', headers: bearer(a.accountKey) });
    expect(r.statusCode).toBe(200);
    const cost = r.json();
    // 4 invocations x 9,000 GB-s x 0.0000166667 = 0.6000012; 10 of 30 days elapsed: forecast x 3
    expect(cost.total).toBe('0.60');
    expect(cost.forecast.total).toBe('1.80');
    const byId = new Map(cost.budgets.map((b: { id: string }) => [b.id, b]));
    expect(byId.get(whole.id)).toMatchObject({
      spend: '0.60',
      percent: '30.00',
      forecast: '1.80',
      forecastPercent: '90.00',
      capped: false,
      period: '2026-11',
    });
    // a function's spend is what it adds to the bill: 0.60 - 0.15
    expect(byId.get(hot.id)).toMatchObject({
      spend: '0.45',
      percent: '45.00',
      forecast: '1.35',
      functionId: 'fn-hot',
      hardCap: true,
      capped: false,
    });
    expect(byId.get(idle.id)).toMatchObject({ spend: '0.00', percent: '0.00', forecast: '0.00' });
  });

  it('measures a filtered function after the free tier, which the rest of the account uses first', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/v1/accounts', headers: admin, payload: { name: 'free-tier-user' } });
    const id = r.json().id as string;
    const key = async (role: string) =>
      (await t.app.inject({ method: 'POST', url: `/v1/accounts/${id}/keys`, headers: admin, payload: { role } })).json().key as string;
    const a = { id, accountKey: await key('account'), executorKey: await key('executor') };
    const fn = await createBudget(t.app, a.accountKey, { amount: '1.00', functionId: 'fn-b' });
    // 400,000 free GB-s: 44 invocations (396,000 GB-s) of fn-a and 2 of fn-b (18,000 GB-s): 14,000 GB-s billed
    await burn(t.app, a, 44, { at: noon(), functionId: 'fn-a' });
    await burn(t.app, a, 2, { at: noon(), functionId: 'fn-b' });
    const cost = (await t.app.inject({ method: 'GET', url: '/v1/cost/current', headers: bearer(a.accountKey) })).json();
    expect(cost.total).toBe('0.23'); // 14,000 x 0.0000166667 = 0.2333338
    // without fn-b the account is within the free tier: fn-b adds the whole bill
    expect(cost.budgets.find((b: { id: string }) => b.id === fn.id)).toMatchObject({ spend: '0.23' });
  });
});
