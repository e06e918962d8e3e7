import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { buildServices } from '../../src/app.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createInvoicesRepository } from '../../src/modules/invoices/invoices.repository.js';
import { createInvoicesService } from '../../src/modules/invoices/invoices.service.js';
import { ADMIN_KEY, newTenant, postUsage, usageEvent, useTestApp } from '../helpers/app.js';

const t = useTestApp('2026-11-15T12:00:00.000Z');

/**
 * An invoice run writes a page while it prices the next one. When the database refuses a page's write
 * (an outage, a lost connection, a privilege) before the run has read its last page, the run must
 * fail, not report success; and the refusal must not become an unhandled rejection, which ends the
 * api process.
 */
describe('an invoice run whose page write fails', () => {
  it('fails as a whole, and nothing is left unobserved', async () => {
    const tenants = [await newTenant(t.app), await newTenant(t.app)];
    for (const a of tenants) {
      expect((await postUsage(t.app, a.executorKey, [usageEvent(a.id, { startedAt: '2026-08-10T10:00:00.000Z' })])).statusCode).toBe(200);
    }
    const deps = { db: t.db.db, clock: t.clock, logger: silentLogger(), adminKey: ADMIN_KEY };
    const services = buildServices(deps);
    const repo = createInvoicesRepository(t.db.db);
    // One account per page; the second page is read only once the first page's write has failed.
    let firstWrite: Promise<unknown> = Promise.resolve();
    const paged: typeof repo = {
      ...repo,
      async accountsForPeriod(end, afterId) {
        const ids = tenants.map((x) => x.id).sort();
        const next = ids.find((id) => afterId === null || id > afterId);
        if (afterId !== null) await firstWrite.catch(() => undefined).then(() => new Promise((r) => setTimeout(r, 200)));
        return next ? (await repo.accountsForPeriod(end, null, 10_000)).filter((a) => a.id === next) : [];
      },
      async finalizeInvoices(...args: Parameters<typeof repo.finalizeInvoices>) {
        const p = repo.finalizeInvoices(...args);
        firstWrite = p;
        return p;
      },
    };
    const invoices = createInvoicesService({ ...services, db: t.db.db, repo: paged, log: silentLogger(), clock: t.clock });
    await sql`revoke insert on invoices from tally_app`.execute(t.db.owner);
    try {
      await expect(invoices.run('2026-08', 'admin:test')).rejects.toThrow(/permission denied/);
    } finally {
      await sql`grant insert on invoices to tally_app`.execute(t.db.owner);
    }
    // Once the database takes the writes again, the run finalizes the month.
    expect(await invoices.run('2026-08', 'admin:test')).toMatchObject({ finalized: 2 });
  });
});
