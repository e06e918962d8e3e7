import { Decimal } from 'decimal.js';
import { sql } from 'kysely';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createDb } from '../../src/db/database.js';
import { MIGRATIONS_DIR } from '../../src/db/migrate.js';
import { silentLogger } from '../../src/lib/logger.js';
import { admin, ADMIN_KEY, bearer, newTenant, postUsage, usageEvent, useTestApp } from '../helpers/app.js';

const t = useTestApp();

type Tenant = Awaited<ReturnType<typeof newTenant>>;
interface Line { id: string; kind: string; adjustsPeriod: string | null; description: string; quantity: string; amount: string }
interface Invoice { id: string; status: string; total: string; priceVersion: string; voidReason: string | null; lines: Line[] }

/** n invocations of 10,240 MB x 900,000 ms = 9,000 GB-s each, on x86_64. */
const heavy = (accountId: string, n: number, startedAt: string) =>
  Array.from({ length: n }, () => usageEvent(accountId, { memoryMb: 10_240, durationMs: 900_000, startedAt }));

async function tenantWithUsage(n = 50, startedAt = '2026-10-12T08:00:00.000Z'): Promise<Tenant> {
  const tenant = await newTenant(t.app);
  expect((await postUsage(t.app, tenant.executorKey, heavy(tenant.id, n, startedAt))).json()).toMatchObject({ accepted: n });
  return tenant;
}

const run = (period: string, headers: Record<string, string> = admin, app = t.app) =>
  app.inject({ method: 'POST', url: '/v1/invoices/run', headers, payload: { period } });

async function invoiceOf(tenant: Tenant, period: string): Promise<Invoice> {
  const r = await t.app.inject({ method: 'GET', url: `/v1/invoices?period=${period}`, headers: bearer(tenant.accountKey) });
  const live = (r.json().invoices as Invoice[]).filter((i) => i.status !== 'void');
  expect(live).toHaveLength(1);
  return live[0]!;
}

async function rowsOf(accountIds: string[], period: string) {
  return t.db.db.selectFrom('invoices').select(['account_id', 'status']).where('account_id', 'in', accountIds)
    .where('period', '=', `${period}-01`).orderBy('account_id').execute();
}

const finalizedCount = async (period: string) =>
  Number((await t.db.db.selectFrom('invoices').select((eb) => eb.fn.countAll<string>().as('n'))
    .where('period', '=', `${period}-01`).where('status', '=', 'finalized').executeTakeFirstOrThrow()).n);

describe('POST /v1/invoices/run', () => {
  it('finalizes a closed month once: a second run finds it already done and writes nothing', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await tenantWithUsage();
    expect((await invoiceOf(a, '2026-10')).status).toBe('draft');

    const first = await run('2026-10');
    expect(first.statusCode).toBe(200);
    expect(first.json().finalized).toBeGreaterThanOrEqual(1);
    const inv = await invoiceOf(a, '2026-10');
    // 450,000 GB-s - 400,000 free = 50,000 x 0.0000166667 = 0.833335 -> 0.83
    expect(inv).toMatchObject({ status: 'finalized', total: '0.83', priceVersion: 'aws-us-east-1-2025-08' });

    const again = await run('2026-10');
    expect(again.json()).toMatchObject({ period: '2026-10', finalized: 0, total: '0.00' });
    expect(again.json().alreadyFinalized).toBeGreaterThanOrEqual(1);
    expect(await rowsOf([a.id], '2026-10')).toEqual([{ account_id: a.id, status: 'finalized' }]);
    const audit = await t.app.inject({ method: 'GET', url: `/v1/audit?accountId=${a.id}&action=invoice.finalized`, headers: admin });
    expect(audit.json().entries).toEqual([expect.objectContaining({ actor: 'admin:env', subject: inv.id, details: { total: '0.83', priceVersion: 'aws-us-east-1-2025-08' } })]);
  });

  it('yields one invoice per account when two runs race in one process', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const tenants = await Promise.all(Array.from({ length: 4 }, () => tenantWithUsage(3)));
    const before = await finalizedCount('2026-10');
    const answers = await Promise.all([run('2026-10'), run('2026-10')]);
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200]);
    expect(answers[0]!.json().finalized + answers[1]!.json().finalized).toBe((await finalizedCount('2026-10')) - before);
    expect(await rowsOf(tenants.map((x) => x.id), '2026-10')).toEqual(
      tenants.map((x) => ({ account_id: x.id, status: 'finalized' })).sort((p, q) => p.account_id.localeCompare(q.account_id)),
    );
  });

  it('yields one invoice per account when two api instances on the same database race', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const tenants = await Promise.all(Array.from({ length: 4 }, () => tenantWithUsage(3)));
    const otherDb = createDb(t.db.url, 5);
    const other = await buildApp({
      db: otherDb, clock: t.clock, logger: silentLogger(), adminKey: ADMIN_KEY,
      expectedMigrations: readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).length,
    });
    try {
      const before = await finalizedCount('2026-10');
      const answers = await Promise.all([run('2026-10'), run('2026-10', admin, other), run('2026-10', admin, other)]);
      expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200]);
      const sum = answers.reduce((n, r) => n + (r.json().finalized as number), 0);
      expect(sum).toBe((await finalizedCount('2026-10')) - before);
      expect(sum).toBeGreaterThanOrEqual(tenants.length);
      const rows = await rowsOf(tenants.map((x) => x.id), '2026-10');
      expect(rows).toHaveLength(tenants.length);
      expect(rows.every((r) => r.status === 'finalized')).toBe(true);
    } finally {
      await other.close();
      await otherDb.destroy();
    }
  });

  it('refuses an open or future month with 409, an account key with 403 and a malformed period with 400', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await newTenant(t.app);
    for (const period of ['2026-11', '2026-12']) {
      const r = await run(period);
      expect(r.statusCode, period).toBe(409);
      expect(r.json().error.code).toBe('CONFLICT');
    }
    expect(await finalizedCount('2026-11')).toBe(0);
    const forbidden = await run('2026-10', bearer(a.accountKey));
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().error.code).toBe('FORBIDDEN');
    expect((await run('2026-10', bearer(a.executorKey))).statusCode).toBe(403);
    expect((await run('2026-13')).json().error.code).toBe('VALIDATION_FAILED');
  });
});

describe('a finalized invoice', () => {
  it('cannot be changed or deleted, even with direct SQL; it can be voided once, with a reason, audited', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await tenantWithUsage();
    await run('2026-10');
    const inv = await invoiceOf(a, '2026-10');
    // As the owner of the tables: the triggers hold even against it (the api's own role is stopped
    // earlier, by its grants: test/integration/least-privilege.test.ts).
    const db = t.db.owner;
    await expect(sql`update invoices set total = 0 where id = ${inv.id}`.execute(db)).rejects.toThrow(/finalized/);
    await expect(sql`update invoices set status = 'draft' where id = ${inv.id}`.execute(db)).rejects.toThrow(/finalized/);
    await expect(sql`update invoice_lines set amount = 1000 where invoice_id = ${inv.id}`.execute(db)).rejects.toThrow(/cannot be changed/);
    await expect(sql`delete from invoice_lines where invoice_id = ${inv.id}`.execute(db)).rejects.toThrow(/cannot be changed/);
    await expect(sql`insert into invoice_lines (invoice_id, account_id, position, kind, description, quantity, free_quantity, billable_quantity, unit_price, amount)
      values (${inv.id}, ${a.id}, 99, 'adjustment', 'sneaked in', 1, 0, 1, 5, 5)`.execute(db)).rejects.toThrow(/cannot be changed/);
    // nor moved off onto a draft, which would empty the finalized invoice
    const draft = await invoiceOf(a, '2026-11');
    await expect(sql`update invoice_lines set invoice_id = ${draft.id}, position = position + 100 where invoice_id = ${inv.id}`.execute(db))
      .rejects.toThrow(/cannot be changed/);
    await expect(sql`delete from invoices where id = ${inv.id}`.execute(db)).rejects.toThrow(/cannot be deleted/);
    await expect(sql`update invoice_usage_snapshots set amount = 0 where invoice_id = ${inv.id}`.execute(db)).rejects.toThrow(/append-only/);
    expect(await invoiceOf(a, '2026-10')).toEqual(inv);

    const reason = 'billed in error: duplicate account';
    const voided = await t.app.inject({ method: 'POST', url: `/v1/invoices/${inv.id}/void`, headers: admin, payload: { reason } });
    expect(voided.statusCode).toBe(200);
    expect(voided.json()).toMatchObject({ id: inv.id, status: 'void', voidReason: reason, total: '0.83' });
    const twice = await t.app.inject({ method: 'POST', url: `/v1/invoices/${inv.id}/void`, headers: admin, payload: { reason } });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.code).toBe('CONFLICT');
    await expect(sql`update invoices set status = 'finalized', voided_at = null where id = ${inv.id}`.execute(db)).rejects.toThrow(/void/);
    const audit = await t.app.inject({ method: 'GET', url: `/v1/audit?accountId=${a.id}&action=invoice.voided`, headers: admin });
    expect(audit.json().entries).toEqual([expect.objectContaining({ actor: 'admin:env', subject: inv.id, reason })]);
    await expect(sql`update audit_log set reason = 'nothing to see' where account_id = ${a.id}`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log where account_id = ${a.id}`.execute(db)).rejects.toThrow(/append-only/);

    // the month is handed back: the next run issues a new invoice beside the void one
    await run('2026-10');
    expect(await rowsOf([a.id], '2026-10')).toEqual(expect.arrayContaining([
      { account_id: a.id, status: 'void' }, { account_id: a.id, status: 'finalized' },
    ]));
    expect((await rowsOf([a.id], '2026-10')).length).toBe(2);
  });

  it('refuses voiding to an account key and voiding a draft', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await tenantWithUsage(1, '2026-11-02T00:00:00.000Z');
    const draft = await invoiceOf(a, '2026-11');
    const byAccount = await t.app.inject({ method: 'POST', url: `/v1/invoices/${draft.id}/void`, headers: bearer(a.accountKey), payload: { reason: 'x' } });
    expect(byAccount.statusCode).toBe(403);
    const ofDraft = await t.app.inject({ method: 'POST', url: `/v1/invoices/${draft.id}/void`, headers: admin, payload: { reason: 'x' } });
    expect(ofDraft.statusCode).toBe(409);
  });
});

describe('late usage', () => {
  const adjustments = (inv: Invoice) => inv.lines.filter((l) => l.kind === 'adjustment');

  it('bills usage that arrives after its month was finalized once, as the difference, on the next invoice', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await tenantWithUsage(50); // 450,000 GB-s: 50,000 billable -> 0.83
    await run('2026-10');
    expect((await invoiceOf(a, '2026-10')).total).toBe('0.83');

    const late = await postUsage(t.app, a.executorKey, heavy(a.id, 20, '2026-10-31T23:00:00.000Z'));
    expect(late.json()).toMatchObject({ accepted: 20, duplicates: 0 });
    expect((await invoiceOf(a, '2026-10')).total).toBe('0.83'); // finalized stays as it was

    t.clock.set('2026-12-02T00:30:00.000Z');
    await run('2026-11');
    const nov = await invoiceOf(a, '2026-11');
    // October now: 70 x 9,000 = 630,000 GB-s; 230,000 billable x 0.0000166667 = 3.833341 -> 3.83; billed 0.83
    expect(adjustments(nov)).toEqual([expect.objectContaining({
      adjustsPeriod: '2026-10', quantity: '1', amount: '3.00',
      description: 'Late usage for 2026-10: +20 requests, +180000 GB-s (month re-priced at 3.83, billed 0.83)',
    })]);
    expect(nov).toMatchObject({ status: 'finalized', total: '3.00' });
    // October is now billed by two invoices: voiding the first alone would bill its late usage twice
    const oct = await invoiceOf(a, '2026-10');
    const voidOct = await t.app.inject({ method: 'POST', url: `/v1/invoices/${oct.id}/void`, headers: admin, payload: { reason: 'x' } });
    expect(voidOct.statusCode).toBe(409);
    expect(voidOct.json().error.message).toContain(nov.id);

    t.clock.set('2027-01-02T00:30:00.000Z');
    await run('2026-12');
    const dec = await invoiceOf(a, '2026-12');
    expect(adjustments(dec)).toEqual([]);
    expect(dec.total).toBe('0.00');

    await postUsage(t.app, a.executorKey, heavy(a.id, 10, '2026-10-15T00:00:00.000Z'));
    // 80 x 9,000 = 720,000 GB-s; 320,000 x 0.0000166667 = 5.333344 -> 5.33; the November invoice billed it at 3.83
    const draft = await invoiceOf(a, '2027-01');
    expect(draft.status).toBe('draft');
    expect(adjustments(draft).map((l) => [l.adjustsPeriod, l.amount])).toEqual([['2026-10', '1.50']]);

    t.clock.set('2027-02-02T00:30:00.000Z');
    await run('2027-01');
    const jan = await invoiceOf(a, '2027-01');
    expect(jan.status).toBe('finalized');
    expect(adjustments(jan).map((l) => [l.adjustsPeriod, l.amount])).toEqual([['2026-10', '1.50']]);
    expect(jan.total).toBe('1.50');
    // October, 0.83 + 3.00 + 1.50, is billed in full at its final usage, once
    expect([oct.total, nov.total, jan.total].reduce((sum, x) => sum.plus(x), new Decimal(0)).toFixed(2)).toBe('5.33');

    t.clock.set('2027-03-02T00:30:00.000Z');
    await run('2027-02');
    expect(adjustments(await invoiceOf(a, '2027-02'))).toEqual([]);
  });

  it('adds a 0.00 adjustment line for late usage that stays inside the free tier', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await tenantWithUsage(5); // 45,000 GB-s, all free
    await run('2026-10');
    expect((await invoiceOf(a, '2026-10')).total).toBe('0.00');
    await postUsage(t.app, a.executorKey, heavy(a.id, 1, '2026-10-20T00:00:00.000Z'));

    t.clock.set('2026-12-02T00:30:00.000Z');
    await run('2026-11');
    const nov = await invoiceOf(a, '2026-11');
    expect(adjustments(nov)).toEqual([expect.objectContaining({
      adjustsPeriod: '2026-10', amount: '0.00',
      description: 'Late usage for 2026-10: +1 requests, +9000 GB-s (month re-priced at 0.00, billed 0.00)',
    })]);
    expect(nov.total).toBe('0.00');

    t.clock.set('2027-01-02T00:30:00.000Z');
    await run('2026-12');
    expect(adjustments(await invoiceOf(a, '2026-12'))).toEqual([]);
  });
});
