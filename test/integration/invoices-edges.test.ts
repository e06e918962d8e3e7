// Edges of the invoice and price routes found by a review on 2026-12-07: one format for an adjusted
// month, 404 for any id that is not an invoice's, 400 for a price figure too large to keep, and a run
// waiting on another's lock that holds no connection meanwhile.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { admin, bearer, newTenant, postUsage, usageEvent, useTestApp } from '../helpers/app.js';

const t = useTestApp();

/** n invocations of 10,240 MB x 900,000 ms = 9,000 GB-s each, on x86_64. */
const heavy = (accountId: string, n: number, startedAt: string) =>
  Array.from({ length: n }, () => usageEvent(accountId, { memoryMb: 10_240, durationMs: 900_000, startedAt }));

const run = (period: string) => t.app.inject({ method: 'POST', url: '/v1/invoices/run', headers: admin, payload: { period } });

describe('GET /v1/cost/current shows a late-usage adjustment as the invoice does', () => {
  it("names the adjusted month 'YYYY-MM' (as invoice lines do), not the SQL date 'YYYY-MM-01'", async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await newTenant(t.app);
    await postUsage(t.app, a.executorKey, heavy(a.id, 50, '2026-10-12T08:00:00.000Z'));
    expect((await run('2026-10')).statusCode).toBe(200);
    await postUsage(t.app, a.executorKey, heavy(a.id, 20, '2026-10-31T23:00:00.000Z')); // late October usage

    const draft = await t.app.inject({ method: 'GET', url: '/v1/invoices?period=2026-11', headers: bearer(a.accountKey) });
    const draftAdjustment = (draft.json().invoices[0].lines as { kind: string; adjustsPeriod: string }[]).find(
      (l) => l.kind === 'adjustment',
    );
    expect(draftAdjustment?.adjustsPeriod).toBe('2026-10');

    const cost = await t.app.inject({ method: 'GET', url: '/v1/cost/current', headers: bearer(a.accountKey) });
    expect(cost.statusCode).toBe(200);
    const costAdjustment = (cost.json().lines as { kind: string; adjustsPeriod: string }[]).find((l) => l.kind === 'adjustment');
    expect(costAdjustment?.adjustsPeriod).toBe(draftAdjustment?.adjustsPeriod);
  });
});

describe('an invoice id that passes the route check but is not a uuid', () => {
  it('answers 404 INVOICE_NOT_FOUND (not 500) for reading and voiding', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    for (const id of ['-'.repeat(36), '0'.repeat(36)]) {
      const got = await t.app.inject({ method: 'GET', url: `/v1/invoices/${id}`, headers: admin });
      expect(got.statusCode, `GET ${id}`).toBe(404);
      const voided = await t.app.inject({ method: 'POST', url: `/v1/invoices/${id}/void`, headers: admin, payload: { reason: 'x' } });
      expect(voided.statusCode, `void ${id}`).toBe(404);
    }
  });
});

describe('a price version whose free request count the catalog cannot hold', () => {
  it('is refused with 400 VALIDATION_FAILED, like every other figure that does not fit, not a 500', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const tiers = [{ upToGbSeconds: null, unitPrice: '0.00001' }];
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/prices',
      headers: admin,
      payload: {
        id: 'review-huge-free-requests',
        effectiveFrom: '2099-01',
        requestPricePerMillion: '0.2',
        compute: { x86_64: tiers, arm64: tiers },
        ephemeralPerGbSecond: '0',
        freeRequests: 1e19, // a JSON integer above bigint's 9,223,372,036,854,775,807
        freeGbSeconds: '0',
        billsInit: true,
        reason: 'review',
      },
    });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().error.code).toBe('VALIDATION_FAILED');
  });
});

describe('an invoice run waiting for another replica’s run of the same month', () => {
  it('does not hold a pooled connection while it waits, so the replica keeps answering other requests', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await newTenant(t.app);
    // Another replica is running October (the same session-level advisory lock its run takes).
    const other = new pg.Client({ connectionString: t.db.url });
    await other.connect();
    await other.query(`select pg_advisory_lock(hashtext('tally.invoice-run'), 202610)`);
    let runs: Promise<{ statusCode: number }[]> | null = null;
    try {
      // An operator's script retries the run on this replica (10 = the api's pool size).
      runs = Promise.all(Array.from({ length: 10 }, () => run('2026-10')));
      await new Promise((r) => setTimeout(r, 1_000)); // every run has tried the lock, most more than once
      const started = Date.now();
      const list = await t.app.inject({ method: 'GET', url: '/v1/invoices', headers: bearer(a.accountKey) });
      expect({ status: list.statusCode, waitedMs: Date.now() - started < 2_000 }).toEqual({ status: 200, waitedMs: true });
    } finally {
      await other.query(`select pg_advisory_unlock(hashtext('tally.invoice-run'), 202610)`).finally(() => other.end());
    }
    // Once the other run let go, the waiting ones run in turn.
    expect((await runs).map((r) => r.statusCode)).toEqual(Array(10).fill(200));
  });
});

describe('the invocations behind an ephemeral storage line', () => {
  // Found by review: the rollup hours of the line were those with storage above 512 MB, but the
  // invocation ids listed with them were every invocation of the month, most of which it does not bill.
  it('are those with storage above the included 512 MB, as its hours are', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await newTenant(t.app);
    const plain = Array.from({ length: 3 }, () => usageEvent(a.id, { functionId: 'plain', startedAt: '2026-10-05T08:00:00.000Z' }));
    const large = Array.from({ length: 2 }, () =>
      usageEvent(a.id, { functionId: 'large', ephemeralStorageMb: 2048, startedAt: '2026-10-06T09:00:00.000Z' }),
    );
    expect((await postUsage(t.app, a.executorKey, [...plain, ...large])).json()).toMatchObject({ accepted: 5 });
    expect((await run('2026-10')).statusCode).toBe(200);
    const list = await t.app.inject({ method: 'GET', url: '/v1/invoices?period=2026-10&status=finalized', headers: bearer(a.accountKey) });
    const inv = list.json().invoices[0] as { id: string; lines: { id: string; kind: string }[] };
    const storage = inv.lines.find((l) => l.kind === 'ephemeral_storage')!;

    const r = await t.app.inject({
      method: 'GET',
      url: `/v1/invoices/${inv.id}/lines/${storage.id}/usage?invocations=true`,
      headers: bearer(a.accountKey),
    });
    expect(r.statusCode, r.body).toBe(200);
    expect((r.json().hours as { functionId: string }[]).map((h) => h.functionId)).toEqual(['large']);
    const ids = (r.json().invocations as { invocationId: string }[]).map((i) => i.invocationId).sort();
    expect(ids).toEqual(large.map((e) => e.invocationId).sort());
  });
});
