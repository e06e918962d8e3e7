import { crc32 } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { scheduleBudgetEvaluation } from '../../src/jobs/budget-evaluator.js';
import { silentLogger } from '../../src/lib/logger.js';
import { AppError } from '../../src/lib/errors.js';
import { bearer } from '../helpers/app.js';
import { burn, createBudget, payingTenant, useBudgetsApp } from '../helpers/budgets.js';

const t = useBudgetsApp('2026-11-15T12:00:00.000Z');
const earlier = () => new Date(t.clock.now().getTime() - 60_000);

function refusal(fn: () => void): AppError | null {
  try {
    fn();
    return null;
  } catch (err) {
    return err as AppError;
  }
}

/** A zip of stored (uncompressed) files: enough for a deployment package. */
function storedZip(files: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const fileName = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt32LE(crc32(data), 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(fileName.length, 28);
    entry.writeUInt32LE(offset, 42);
    parts.push(local, fileName, data);
    central.push(entry, fileName);
    offset += local.length + fileName.length + data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(central.length / 2, 8);
  end.writeUInt16LE(central.length / 2, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}

describe('hard caps', () => {
  it("refuses a capped account's invocations once actual spend reaches the amount, and again allows them next month", async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await payingTenant(t.app);
    const other = await payingTenant(t.app);
    const cap = await createBudget(t.app, a.accountKey, { amount: '0.50', hardCap: true, thresholds: [100] });
    const { budgets } = t.services;
    await burn(t.app, a, 3, { at: earlier() }); // 0.45: 90 %
    await budgets.evaluate([a.id], 'schedule');
    expect(budgets.capFor(a.id, 'fn-a')).toBeNull();
    expect(() => budgets.assertNotCapped(a.id, 'fn-a')).not.toThrow();

    await burn(t.app, a, 1, { at: earlier() }); // 0.60
    await budgets.evaluate([a.id], 'schedule');
    expect(budgets.capFor(a.id, 'fn-a')).toMatchObject({ exceeded: true, budgetId: cap.id });
    expect(budgets.capFor(a.id, null)).toMatchObject({ budgetId: cap.id });
    expect(budgets.capFor(other.id, 'fn-a')).toBeNull();
    const err = refusal(() => budgets.assertNotCapped(a.id, 'fn-a'));
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'BUDGET_EXCEEDED', statusCode: 402, details: { budgetId: cap.id } });
    expect(err!.message).toBe(
      `Budget ${cap.id} is a hard cap of 0.50 USD for 2026-11 and this account's spend has reached 0.60 USD: ` +
        'new invocations are refused until 2026-12-01T00:00:00.000Z or until the budget is raised',
    );
    const cost = (await t.app.inject({ method: 'GET', url: '/v1/cost/current', headers: bearer(a.accountKey) })).json();
    expect(cost.budgets[0]).toMatchObject({ id: cap.id, capped: true, percent: '120.00' });

    // a new month starts from zero: the cap lifts as the clock crosses midnight, before any evaluation
    t.clock.set('2026-12-01T00:00:00.000Z');
    expect(budgets.capFor(a.id, 'fn-a')).toBeNull();
    await budgets.evaluate([a.id], 'schedule');
    expect(budgets.capFor(a.id, 'fn-a')).toBeNull();
  });

  it('lifts the cap as soon as the budget is raised, or made a soft budget, or deleted', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await payingTenant(t.app);
    const cap = await createBudget(t.app, a.accountKey, { amount: '0.30', hardCap: true });
    await burn(t.app, a, 3, { at: earlier() }); // 0.45
    await t.services.budgets.evaluate([a.id], 'schedule');
    expect(t.services.budgets.capFor(a.id, 'fn-a')?.budgetId).toBe(cap.id);
    const patch = (payload: object) =>
      t.app.inject({ method: 'PATCH', url: `/v1/budgets/${cap.id}`, headers: bearer(a.accountKey), payload });

    expect((await patch({ amount: '1.00', reason: 'launch week' })).statusCode).toBe(200);
    expect(t.services.budgets.capFor(a.id, 'fn-a')).toBeNull();
    await patch({ amount: '0.40' });
    expect(t.services.budgets.capFor(a.id, 'fn-a')?.budgetId).toBe(cap.id);
    await patch({ hardCap: false });
    expect(t.services.budgets.capFor(a.id, 'fn-a')).toBeNull();
    await patch({ hardCap: true });
    expect(t.services.budgets.capFor(a.id, 'fn-a')?.budgetId).toBe(cap.id);
    await t.app.inject({ method: 'DELETE', url: `/v1/budgets/${cap.id}`, headers: bearer(a.accountKey) });
    expect(t.services.budgets.capFor(a.id, 'fn-a')).toBeNull();
  });

  it('caps only the filtered function when the budget names one, by id or by name', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await payingTenant(t.app);
    const cap = await createBudget(t.app, a.accountKey, { amount: '0.30', hardCap: true, functionId: 'fn-hot' });
    await burn(t.app, a, 5, { at: earlier(), functionId: 'fn-cold' });
    await t.services.budgets.evaluate([a.id], 'schedule');
    expect(t.services.budgets.capFor(a.id, 'fn-hot')).toBeNull(); // the rest of the account does not count
    await burn(t.app, a, 2, { at: earlier(), functionId: 'fn-hot' });
    await t.services.budgets.evaluate([a.id], 'schedule');
    expect(t.services.budgets.capFor(a.id, 'fn-hot')?.message).toContain('the spend of function fn-hot has reached 0.30 USD');
    expect(t.services.budgets.capFor(a.id, { id: 'f-123', name: 'fn-hot' })?.budgetId).toBe(cap.id);
    expect(t.services.budgets.capFor(a.id, 'fn-cold')).toBeNull();
    expect(t.services.budgets.capFor(a.id, null)).toBeNull();
  });

  it('reaches the other replicas at their next cap refresh, without them evaluating anything', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const other = t.replica();
    await other.budgets.refreshCaps();
    const a = await payingTenant(t.app);
    await createBudget(t.app, a.accountKey, { amount: '0.10', hardCap: true, basis: 'forecast', thresholds: [500] });
    await burn(t.app, a, 1, { at: earlier() });
    await t.services.budgets.evaluate([a.id], 'schedule');
    expect(t.services.budgets.capFor(a.id, 'fn-a')).not.toBeNull(); // a cap is on actual spend, whatever the alert basis
    expect(other.budgets.capFor(a.id, 'fn-a')).toBeNull(); // stale until its refresh
    await other.budgets.refreshCaps();
    expect(other.budgets.capFor(a.id, 'fn-a')).not.toBeNull();
    // and on its own, as the job every replica runs
    const third = t.replica();
    const job = scheduleBudgetEvaluation({ budgets: third.budgets, log: silentLogger(), capRefreshMs: 20 });
    try {
      await vi.waitFor(() => expect(third.budgets.capFor(a.id, 'fn-a')).not.toBeNull(), { timeout: 5_000, interval: 20 });
    } finally {
      await job.stop();
    }
  });

  it('answers the capFor check from memory, fast enough for every invocation', async () => {
    const start = performance.now();
    for (let i = 0; i < 100_000; i++) t.services.budgets.capFor('00000000-0000-4000-8000-000000000000', { id: 'f-1', name: 'fn-a' });
    // 100,000 checks in well under a second even on a busy CI machine: no I/O, no date formatting
    expect(performance.now() - start).toBeLessThan(1_000);
  });

  it('refuses POST /v1/functions/:name/invoke with 402 BUDGET_EXCEEDED, before any executor is asked', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await payingTenant(t.app);
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/functions',
      headers: bearer(a.accountKey),
      payload: {
        name: 'hot',
        runtime: 'nodejs',
        handler: 'index.handler',
        zipFile: storedZip({ 'index.js': 'exports.handler = async () => 1;' }).toString('base64'),
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const invoke = () => t.app.inject({ method: 'POST', url: '/v1/functions/hot/invoke', headers: bearer(a.accountKey), payload: {} });
    const cap = await createBudget(t.app, a.accountKey, { amount: '0.20', hardCap: true, functionId: 'hot' });
    await burn(t.app, a, 2, { at: earlier(), functionId: 'hot' }); // usage names the function, as the executor reports it
    await t.services.budgets.evaluate([a.id], 'schedule');
    const refused = await invoke();
    expect(refused.statusCode).toBe(402);
    expect(refused.json().error).toMatchObject({ code: 'BUDGET_EXCEEDED', details: { budgetId: cap.id } });
    expect(refused.json().error.message).toContain('until the budget is raised');

    await t.app.inject({ method: 'PATCH', url: `/v1/budgets/${cap.id}`, headers: bearer(a.accountKey), payload: { amount: '100' } });
    const allowed = await invoke(); // past the cap check: here no executor is registered, so it cannot run
    expect(allowed.statusCode).not.toBe(402);
    expect(allowed.json().error?.code).not.toBe('BUDGET_EXCEEDED');
  });
});
