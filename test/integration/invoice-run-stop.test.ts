import { describe, expect, it } from 'vitest';
import { buildServices } from '../../src/app.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createInvoicesRepository } from '../../src/modules/invoices/invoices.repository.js';
import { createInvoicesService } from '../../src/modules/invoices/invoices.service.js';
import { ADMIN_KEY, newTenant, postUsage, usageEvent, useTestApp } from '../helpers/app.js';
import { holdLock } from '../helpers/db.js';

const t = useTestApp('2026-11-15T12:00:00.000Z');

/**
 * The hourly finalizer's run when the api stops (docs/operations.md, "Stopping"): the shutdown waits
 * for it a bounded time, so the run ends at the next page rather than running on while the database
 * closes under it. The pages written stand; the next run finishes the month.
 */
describe('an invoice run told to stop', () => {
  it('writes the page in flight, starts no other, and the next run finishes the month', async () => {
    const tenants = await Promise.all([1, 2, 3].map(() => newTenant(t.app)));
    for (const a of tenants) {
      const r = await postUsage(t.app, a.executorKey, [usageEvent(a.id, { startedAt: '2026-07-10T10:00:00.000Z' })]);
      expect(r.statusCode).toBe(200);
    }
    const services = buildServices({ db: t.db.db, clock: t.clock, logger: silentLogger(), adminKey: ADMIN_KEY });
    const repo = createInvoicesRepository(t.db.db);
    const stopping = new AbortController();
    // The stop comes while the first page (one account) is being priced and written.
    const stoppedAfterFirstPage: typeof repo = {
      ...repo,
      async accountsForPeriod(end, afterId, limit) {
        const page = await repo.accountsForPeriod(end, afterId, limit);
        stopping.abort();
        return page;
      },
    };
    const invoices = createInvoicesService({
      ...services,
      db: t.db.db,
      repo: stoppedAfterFirstPage,
      log: silentLogger(),
      clock: t.clock,
      runPageSize: 1,
    });
    const first = await invoices.run('2026-07', 'system:scheduler', { signal: stopping.signal });
    expect(first.finalized).toBe(1);
    const finalized = await t.db.db
      .selectFrom('invoices')
      .select('account_id')
      .where('period', '=', '2026-07-01')
      .where('status', '=', 'finalized')
      .execute();
    expect(finalized).toHaveLength(1);
    // The next run (the next tick, after the restart) finalizes the rest.
    expect(await services.invoices.run('2026-07', 'system:scheduler')).toMatchObject({ finalized: 2, alreadyFinalized: 1 });
  });

  it('stops waiting for the month another process is running, and writes nothing', async () => {
    const tenant = await newTenant(t.app);
    expect(
      (await postUsage(t.app, tenant.executorKey, [usageEvent(tenant.id, { startedAt: '2026-06-10T10:00:00.000Z' })])).statusCode,
    ).toBe(200);
    const services = buildServices({ db: t.db.db, clock: t.clock, logger: silentLogger(), adminKey: ADMIN_KEY });
    // Another api process's run of 2026-06: the run lock of that month (src/modules/invoices/invoices.repository.ts).
    const other = await holdLock(t.db.ownerUrl, `select pg_advisory_lock(hashtext('tally.invoice-run'), 202606)`);
    const stopping = new AbortController();
    try {
      const running = services.invoices.run('2026-06', 'system:scheduler', { signal: stopping.signal });
      await new Promise((r) => setTimeout(r, 400));
      const stoppedAt = Date.now();
      stopping.abort();
      expect(await running).toMatchObject({ period: '2026-06', finalized: 0 });
      expect(Date.now() - stoppedAt).toBeLessThan(1_000);
    } finally {
      await other.release();
    }
    const written = await t.db.db.selectFrom('invoices').select('id').where('period', '=', '2026-06-01').execute();
    expect(written).toEqual([]);
  });
});
