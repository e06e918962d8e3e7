import { Decimal } from 'decimal.js';
import { sql } from 'kysely';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createDb } from '../../src/db/database.js';
import { MIGRATIONS_DIR } from '../../src/db/migrate.js';
import { silentLogger } from '../../src/lib/logger.js';
import { admin, ADMIN_KEY, bearer, newTenant, postUsage, usageEvent, useTestApp } from '../helpers/app.js';
import { holdLock } from '../helpers/db.js';

const t = useTestApp();

type Tenant = Awaited<ReturnType<typeof newTenant>>;
interface Line {
  id: string;
  kind: string;
  adjustsPeriod: string | null;
  description: string;
  quantity: string;
  amount: string;
}
interface Invoice {
  id: string;
  status: string;
  total: string;
  priceVersion: string;
  voidReason: string | null;
  lines: Line[];
}

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
  return t.db.db
    .selectFrom('invoices')
    .select(['account_id', 'status'])
    .where('account_id', 'in', accountIds)
    .where('period', '=', `${period}-01`)
    .orderBy('account_id')
    .execute();
}

const finalizedCount = async (period: string) =>
  Number(
    (
      await t.db.db
        .selectFrom('invoices')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('period', '=', `${period}-01`)
        .where('status', '=', 'finalized')
        .executeTakeFirstOrThrow()
    ).n,
  );

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
    expect(audit.json().entries).toEqual([
      expect.objectContaining({ actor: 'admin:env', subject: inv.id, details: { total: '0.83', priceVersion: 'aws-us-east-1-2025-08' } }),
    ]);
  });

  it('yields one invoice per account when two runs race in one process', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const tenants = await Promise.all(Array.from({ length: 4 }, () => tenantWithUsage(3)));
    const before = await finalizedCount('2026-10');
    const answers = await Promise.all([run('2026-10'), run('2026-10')]);
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200]);
    expect(answers[0]!.json().finalized + answers[1]!.json().finalized).toBe((await finalizedCount('2026-10')) - before);
    expect(
      await rowsOf(
        tenants.map((x) => x.id),
        '2026-10',
      ),
    ).toEqual(tenants.map((x) => ({ account_id: x.id, status: 'finalized' })).sort((p, q) => p.account_id.localeCompare(q.account_id)));
  });

  it('yields one invoice per account when two api instances on the same database race', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const tenants = await Promise.all(Array.from({ length: 4 }, () => tenantWithUsage(3)));
    const otherDb = createDb(t.db.url, 5);
    const other = await buildApp({
      db: otherDb,
      clock: t.clock,
      logger: silentLogger(),
      adminKey: ADMIN_KEY,
      expectedMigrations: readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).length,
    });
    try {
      const before = await finalizedCount('2026-10');
      const answers = await Promise.all([run('2026-10'), run('2026-10', admin, other), run('2026-10', admin, other)]);
      expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200]);
      const sum = answers.reduce((n, r) => n + (r.json().finalized as number), 0);
      expect(sum).toBe((await finalizedCount('2026-10')) - before);
      expect(sum).toBeGreaterThanOrEqual(tenants.length);
      const rows = await rowsOf(
        tenants.map((x) => x.id),
        '2026-10',
      );
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
    await expect(
      sql`insert into invoice_lines (invoice_id, account_id, position, kind, description, quantity, free_quantity, billable_quantity, unit_price, amount)
      values (${inv.id}, ${a.id}, 99, 'adjustment', 'sneaked in', 1, 0, 1, 5, 5)`.execute(db),
    ).rejects.toThrow(/cannot be changed/);
    // nor moved off onto a draft, which would empty the finalized invoice (the api stores no drafts; the table still takes them)
    const {
      rows: [draft],
    } = await sql<{ id: string }>`insert into invoices (account_id, period, status, price_version_id, free_tier, total)
      values (${a.id}, '2026-11-01', 'draft', 'aws-us-east-1-2025-08', true, 0) returning id`.execute(db);
    await expect(
      sql`update invoice_lines set invoice_id = ${draft!.id}, position = position + 100 where invoice_id = ${inv.id}`.execute(db),
    ).rejects.toThrow(/cannot be changed/);
    await expect(sql`delete from invoices where id = ${inv.id}`.execute(db)).rejects.toThrow(/cannot be deleted/);
    await expect(sql`update billing_ledger set amount = 0 where invoice_id = ${inv.id}`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from billing_ledger where invoice_id = ${inv.id}`.execute(db)).rejects.toThrow(/append-only/);
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
    expect(await rowsOf([a.id], '2026-10')).toEqual(
      expect.arrayContaining([
        { account_id: a.id, status: 'void' },
        { account_id: a.id, status: 'finalized' },
      ]),
    );
    expect((await rowsOf([a.id], '2026-10')).length).toBe(2);
  });

  it('refuses voiding to an account key and voiding a draft', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await tenantWithUsage(1, '2026-11-02T00:00:00.000Z');
    const draft = await invoiceOf(a, '2026-11');
    const byAccount = await t.app.inject({
      method: 'POST',
      url: `/v1/invoices/${draft.id}/void`,
      headers: bearer(a.accountKey),
      payload: { reason: 'x' },
    });
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
    expect(adjustments(nov)).toEqual([
      expect.objectContaining({
        adjustsPeriod: '2026-10',
        quantity: '1',
        amount: '3.00',
        description: 'Late usage for 2026-10: +20 requests, +180000 GB-s (month re-priced at 3.83, billed 0.83)',
      }),
    ]);
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

  it('explains a finalized line by what it billed, apart from the hours as they stand with late usage', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await tenantWithUsage(50); // 450,000 GB-s
    await run('2026-10');
    const oct = await invoiceOf(a, '2026-10');
    const compute = oct.lines.find((l) => l.kind === 'compute')!;
    const usage = async (inv: Invoice, line: Line) => {
      const r = await t.app.inject({
        method: 'GET',
        url: `/v1/invoices/${inv.id}/lines/${line.id}/usage`,
        headers: bearer(a.accountKey),
      });
      expect(r.statusCode).toBe(200);
      const body = r.json();
      const hours = body.hours as { requests: number; gbSeconds: string }[];
      return {
        billed: body.billed,
        requests: hours.reduce((n, h) => n + h.requests, 0),
        gbSeconds: hours.reduce((sum, h) => sum.plus(h.gbSeconds), new Decimal(0)).toFixed(),
      };
    };
    expect(await usage(oct, compute)).toMatchObject({
      requests: 50,
      gbSeconds: '450000',
      billed: { requests: 50, x86GbSeconds: '450000', armGbSeconds: '0', laterInvoices: [] },
    });

    await postUsage(t.app, a.executorKey, heavy(a.id, 20, '2026-10-31T23:00:00.000Z'));
    // The hours now hold the late usage; what October's invoice billed does not change.
    expect(await usage(oct, compute)).toMatchObject({
      requests: 70,
      gbSeconds: '630000',
      billed: { requests: 50, x86GbSeconds: '450000', laterInvoices: [] },
    });

    t.clock.set('2026-12-02T00:30:00.000Z');
    await run('2026-11');
    const nov = await invoiceOf(a, '2026-11');
    const adjustment = nov.lines.find((l) => l.kind === 'adjustment')!;
    expect((await usage(nov, adjustment)).billed).toMatchObject({ requests: 20, x86GbSeconds: '180000', laterInvoices: [] });
    expect((await usage(oct, compute)).billed).toMatchObject({ requests: 50, laterInvoices: [nov.id] });
    // A draft billed nothing yet.
    const draft = await invoiceOf(a, '2026-12');
    expect((await usage(draft, draft.lines[0]!)).billed).toBeNull();
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
    expect(adjustments(nov)).toEqual([
      expect.objectContaining({
        adjustsPeriod: '2026-10',
        amount: '0.00',
        description: 'Late usage for 2026-10: +1 requests, +9000 GB-s (month re-priced at 0.00, billed 0.00)',
      }),
    ]);
    expect(nov.total).toBe('0.00');

    t.clock.set('2027-01-02T00:30:00.000Z');
    await run('2026-12');
    expect(adjustments(await invoiceOf(a, '2026-12'))).toEqual([]);
  });

  const voidInvoice = (id: string) =>
    t.app.inject({ method: 'POST', url: `/v1/invoices/${id}/void`, headers: admin, payload: { reason: 'reissue' } });
  /** What the live invoices bill for one month: its own invoice's total plus every adjustment line for it. */
  async function billedFor(tenant: Tenant, month: string, periods: string[]) {
    let sum = new Decimal(0);
    for (const period of periods) {
      const r = await t.app.inject({
        method: 'GET',
        url: `/v1/invoices?period=${period}&status=finalized`,
        headers: bearer(tenant.accountKey),
      });
      for (const inv of r.json().invoices as Invoice[]) {
        if (period === month) sum = sum.plus(inv.total).minus(adjustments(inv).reduce((n, l) => n.plus(l.amount), new Decimal(0)));
        for (const l of adjustments(inv)) if (l.adjustsPeriod === month) sum = sum.plus(l.amount);
      }
    }
    return sum.toFixed(2);
  }

  it('bills late usage once whatever the order of runs, voids and re-runs, and a void hands back exactly what it billed', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await tenantWithUsage(50, '2026-07-10T08:00:00.000Z'); // July: 450,000 GB-s -> 0.83
    await postUsage(t.app, a.executorKey, heavy(a.id, 50, '2026-08-10T08:00:00.000Z')); // August: 0.83
    await run('2026-07');
    await run('2026-08');
    expect((await voidInvoice((await invoiceOf(a, '2026-08')).id)).statusCode).toBe(200);

    await postUsage(t.app, a.executorKey, heavy(a.id, 20, '2026-07-20T08:00:00.000Z')); // July now 3.83
    await run('2026-09');
    const sep = await invoiceOf(a, '2026-09');
    expect(adjustments(sep).map((l) => [l.adjustsPeriod, l.amount])).toEqual([['2026-07', '3.00']]);

    await postUsage(t.app, a.executorKey, heavy(a.id, 10, '2026-07-25T08:00:00.000Z')); // July now 5.33
    await run('2026-08'); // August again, after September: it bills August and July's newest 1.50
    const aug = await invoiceOf(a, '2026-08');
    expect(aug.total).toBe('2.33');
    expect(adjustments(aug).map((l) => [l.adjustsPeriod, l.amount])).toEqual([['2026-07', '1.50']]);

    await run('2026-10');
    expect(adjustments(await invoiceOf(a, '2026-10'))).toEqual([]);
    const months = ['2026-07', '2026-08', '2026-09', '2026-10', '2026-11'];
    expect(await billedFor(a, '2026-07', months)).toBe('5.33');

    // voiding September hands back the 3.00 it billed for July (and September itself): November bills July's 3.00 again
    expect((await voidInvoice(sep.id)).statusCode).toBe(200);
    t.clock.set('2026-12-02T00:30:00.000Z');
    await run('2026-11');
    expect(adjustments(await invoiceOf(a, '2026-11')).map((l) => [l.adjustsPeriod, l.amount])).toEqual([['2026-07', '3.00']]);
    expect(await billedFor(a, '2026-07', months)).toBe('5.33');
  });

  it('lets only one of two concurrent runs for different months bill the same late usage', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await tenantWithUsage(50, '2026-04-10T08:00:00.000Z'); // April: 0.83
    await run('2026-04');
    await postUsage(t.app, a.executorKey, heavy(a.id, 20, '2026-04-20T08:00:00.000Z')); // April now 3.83
    // Both runs price their page, then wait to write it until the lock is let go, so both saw April billed at 0.83.
    const lock = await holdLock(t.db.ownerUrl, 'lock table invoices in share mode');
    const runs = Promise.all([run('2026-05'), run('2026-06')]);
    await lock.waitFor(2).finally(() => lock.release());
    expect((await runs).map((r) => r.statusCode)).toEqual([200, 200]);
    const lines = [...adjustments(await invoiceOf(a, '2026-05')), ...adjustments(await invoiceOf(a, '2026-06'))];
    expect(lines.map((l) => [l.adjustsPeriod, l.amount])).toEqual([['2026-04', '3.00']]);
    expect(await billedFor(a, '2026-04', ['2026-04', '2026-05', '2026-06'])).toBe('3.83');
  });

  it('keeps a void and a run that race consistent: late usage of the voided month is billed once', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await tenantWithUsage(50, '2026-01-10T08:00:00.000Z'); // January: 0.83
    await run('2026-01');
    const jan = await invoiceOf(a, '2026-01');
    await postUsage(t.app, a.executorKey, heavy(a.id, 20, '2026-01-20T08:00:00.000Z')); // January now 3.83
    // the void checks for later adjustments of January while February's run is about to write one
    const lock = await holdLock(t.db.ownerUrl, 'lock table invoices in share mode');
    const both = Promise.all([voidInvoice(jan.id), run('2026-02')]);
    await lock.waitFor(2).finally(() => lock.release());
    const [voided, ran] = await both;
    expect(ran.statusCode).toBe(200);
    expect([200, 409]).toContain(voided.statusCode);
    await run('2026-01'); // bills January afresh if its invoice went
    expect(await billedFor(a, '2026-01', ['2026-01', '2026-02'])).toBe('3.83');
  });

  it('is exactly-once in the database: a second step from the same billed state, or a release that does not match, is refused', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await tenantWithUsage(50, '2026-03-10T08:00:00.000Z');
    await run('2026-03');
    await run('2026-04');
    const march = await invoiceOf(a, '2026-03');
    const april = await invoiceOf(a, '2026-04');
    const db = t.db.db;
    const step = (seq: number, kind: string, extra = sql``) =>
      sql`
      insert into billing_ledger (account_id, usage_period, seq, from_seq, kind, invoice_id, releases_seq, month_invoice_id,
                                  requests, x86_mb_ms, arm_mb_ms, ephemeral_mb_ms, amount, price_version_id, free_tier)
      select account_id, usage_period, ${seq}, ${seq - 1}, ${kind}, ${kind === 'month' ? march.id : april.id}::uuid, ${kind === 'release' ? 1 : null}::int,
             ${kind === 'release' ? null : march.id}::uuid, requests + 1, x86_mb_ms, arm_mb_ms, ephemeral_mb_ms, amount + 1, price_version_id, free_tier
      from billing_ledger where account_id = ${a.id} and usage_period = '2026-03-01' and seq = 1 ${extra}`.execute(db);
    await expect(step(3, 'adjustment')).rejects.toThrow(/foreign key/); // skips seq 2
    await step(2, 'adjustment'); // by hand, as April's invoice would
    await expect(step(2, 'adjustment')).rejects.toThrow(/billing_ledger_pkey/); // the same step again
    await expect(step(3, 'month')).rejects.toThrow(/still billed/); // the month's own invoice cannot bill it again
    await expect(step(3, 'release')).rejects.toThrow(/void invoice/); // March is not void, and the release names April
    expect((await voidInvoice(march.id)).statusCode).toBe(409); // the adjustment of March stands
  });
});

describe('a failing invoice run', () => {
  it('fails cleanly (no unhandled rejection, no invoice without its lines and ledger) and a retry finishes the month', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const tenants = await Promise.all(Array.from({ length: 5 }, () => tenantWithUsage(1, '2026-02-10T08:00:00.000Z')));
    const ids = tenants.map((x) => x.id).sort();
    const victim = ids[1]!; // the second of five one-account pages: the run is still pricing the next ones when its write fails
    const db = t.db.db;
    // Only the owner may create triggers: the api's role owns nothing.
    const owner = t.db.owner;
    await sql`create function fail_victim() returns trigger language plpgsql as $$
      begin raise exception 'disk full (simulated)'; end $$`.execute(owner);
    await sql
      .raw(`create trigger fail_victim before insert on billing_ledger for each row
      when (new.account_id = '${victim}' and new.usage_period = '2026-02-01') execute function fail_victim()`)
      .execute(owner);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const otherDb = createDb(t.db.url, 5);
    const other = await buildApp({
      db: otherDb,
      clock: t.clock,
      logger: silentLogger(),
      adminKey: ADMIN_KEY,
      invoices: { runPageSize: 1 },
    });
    try {
      const failed = await run('2026-02', admin, other);
      await new Promise((r) => setTimeout(r, 200)); // let a stray rejection surface
      expect(unhandled).toEqual([]);
      expect(failed.statusCode).toBe(500);
      expect(failed.json().error.code).toBe('INTERNAL_ERROR');

      // every invoice written is whole: its lines and its ledger entry are there; the victim has none
      const { rows } = await sql<{ account_id: string; lines: string; ledger: string }>`
        select i.account_id, (select count(*) from invoice_lines l where l.invoice_id = i.id)::text as lines,
               (select count(*) from billing_ledger b where b.invoice_id = i.id)::text as ledger
        from invoices i where i.account_id = any(${ids}::uuid[]) and i.period = '2026-02-01'`.execute(db);
      expect(rows.map((r) => r.account_id)).not.toContain(victim);
      expect(rows.every((r) => r.lines !== '0' && r.ledger === '1')).toBe(true);

      await sql`drop trigger fail_victim on billing_ledger`.execute(owner);
      const retried = await run('2026-02', admin, other);
      expect(retried.statusCode).toBe(200);
      expect(await rowsOf(ids, '2026-02')).toEqual(ids.map((id) => ({ account_id: id, status: 'finalized' })));
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await sql`drop trigger if exists fail_victim on billing_ledger`.execute(owner);
      await other.close();
      await otherDb.destroy();
    }
  });
});
