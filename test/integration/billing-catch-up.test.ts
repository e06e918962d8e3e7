import { describe, expect, it } from 'vitest';
import { buildApp, buildServices } from '../../src/app.js';
import { finalizeDue } from '../../src/jobs/invoice-finalizer.js';
import { silentLogger } from '../../src/lib/logger.js';
import { ADMIN_KEY, newTenant, postUsage, usageEvent, useTestApp } from '../helpers/app.js';

const t = useTestApp();

const statusOf = async (accountId: string, period: string) =>
  (
    await t.db.db
      .selectFrom('invoices')
      .select('status')
      .where('account_id', '=', accountId)
      .where('period', '=', `${period}-01`)
      .where('status', '<>', 'void')
      .executeTakeFirst()
  )?.status ?? null;

describe('the invoice finalizer', () => {
  it('catches up every past month that has usage and no finalized invoice, not only last month', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await newTenant(t.app);
    const events = ['2026-06-10T08:00:00Z', '2026-08-31T23:59:59Z', '2026-10-02T00:00:00Z'].map((startedAt) =>
      usageEvent(a.id, { startedAt }),
    );
    expect((await postUsage(t.app, a.executorKey, events)).json()).toMatchObject({ accepted: 3 });
    // June and August were never run (a run failed, or the usage came after the finalizer moved on)

    const services = buildServices({ db: t.db.db, clock: t.clock, logger: silentLogger(), adminKey: ADMIN_KEY });
    await finalizeDue({ invoices: services.invoices, clock: t.clock, log: silentLogger() });
    for (const period of ['2026-06', '2026-08', '2026-10']) expect(await statusOf(a.id, period), period).toBe('finalized');
    expect(await statusOf(a.id, '2026-07')).toBeNull(); // no usage (and the account row is younger than July)
  });
});

describe('usage older than billing reaches', () => {
  it('is refused whole with a 400 naming the event, before the look-back the operator sets', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const app = await buildApp({ db: t.db.db, clock: t.clock, logger: silentLogger(), adminKey: ADMIN_KEY, billingLookbackMonths: 3 });
    try {
      const a = await newTenant(app);
      const ok = usageEvent(a.id, { startedAt: '2026-08-01T00:00:00Z' });
      const old = usageEvent(a.id, { startedAt: '2026-07-31T23:59:59.999Z' });
      const refused = await postUsage(app, a.executorKey, [ok, old]);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [expect.objectContaining({ index: 1, field: 'startedAt' })],
      });
      expect(refused.json().error.message).toMatch(/^events\[1\]\.startedAt: .*2026-08/);
      // an offset that puts the instant in August (UTC) is not too old
      const offset = usageEvent(a.id, { startedAt: '2026-07-31T23:30:00-01:00' });
      expect((await postUsage(app, a.executorKey, [ok, offset])).json()).toMatchObject({ accepted: 2 });
      expect(await t.db.db.selectFrom('usage_events').select('invocation_id').where('account_id', '=', a.id).execute()).toHaveLength(2);
    } finally {
      await app.close();
    }
  });

  it('is refused before the price catalog begins, whatever the look-back', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const app = await buildApp({ db: t.db.db, clock: t.clock, logger: silentLogger(), adminKey: ADMIN_KEY, billingLookbackMonths: 120 });
    try {
      const a = await newTenant(app);
      const before = await postUsage(app, a.executorKey, [usageEvent(a.id, { startedAt: '2025-07-31T23:59:59Z' })]);
      expect(before.statusCode).toBe(400);
      expect(before.json().error.message).toMatch(/^events\[0\]\.startedAt: .*2025-08/);
      expect((await postUsage(app, a.executorKey, [usageEvent(a.id, { startedAt: '2025-08-01T00:00:00Z' })])).json()).toMatchObject({
        accepted: 1,
      });
    } finally {
      await app.close();
    }
  });

  it('defaults to a 12-month look-back', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await newTenant(t.app);
    expect((await postUsage(t.app, a.executorKey, [usageEvent(a.id, { startedAt: '2025-10-31T23:59:59Z' })])).statusCode).toBe(400);
    expect((await postUsage(t.app, a.executorKey, [usageEvent(a.id, { startedAt: '2025-11-01T00:00:00Z' })])).json()).toMatchObject({
      accepted: 1,
    });
  });
});
