import { Decimal } from 'decimal.js';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { UsageEvent } from '../../src/contracts/usage.js';
import { uuid7 } from '../../src/lib/uuid7.js';
import { admin, bearer, newTenant, postUsage, usageEvent, useTestApp } from '../helpers/app.js';

const t = useTestApp();

type Tenant = Awaited<ReturnType<typeof newTenant>>;
interface Line {
  id: string;
  kind: string;
  architecture: string | null;
  description: string;
  quantity: string;
  freeQuantity: string;
  billableQuantity: string;
  unitPrice: string;
  amount: string;
}

/**
 * October 2026 for one account, chosen so every line has a round quantity:
 * - x86_64: 50 invocations of 10,240 MB x 900,000 ms = 9,000 GB-s each = 450,000 GB-s, with 10,240 MB of
 *   ephemeral storage: (10,240 - 512) MB x 900,000 ms x 50 / 1,024,000 = 427,500 GB-s;
 * - arm64: 10 invocations of 2,048 MB x 500,000 ms = 1,000 GB-s each = 10,000 GB-s.
 */
/**
 * Half the ids are v7 (as the api makes them: their events live in their id month's partition), the
 * others v4; one v7 id was made in September though its invocation started in October.
 */
function octoberUsage(accountId: string) {
  const x86 = Array.from({ length: 50 }, (_, i) => {
    const startedAt = `2026-10-0${1 + (i % 5)}T1${i % 2}:15:00.000Z`;
    const made = i === 0 ? Date.parse('2026-09-30T23:59:59.000Z') : Date.parse(startedAt);
    return usageEvent(accountId, {
      ...(i % 2 === 0 ? { invocationId: uuid7(made) } : {}),
      functionId: `fn-${i % 2}`,
      memoryMb: 10_240,
      durationMs: 900_000,
      ephemeralStorageMb: 10_240,
      startedAt,
    });
  });
  const arm = Array.from({ length: 10 }, () =>
    usageEvent(accountId, { architecture: 'arm64', memoryMb: 2048, durationMs: 500_000, startedAt: '2026-10-20T08:15:00.000Z' }),
  );
  return { x86, arm, all: [...x86, ...arm] };
}

async function tenantWithOctober(): Promise<Tenant & { usage: ReturnType<typeof octoberUsage> }> {
  const tenant = await newTenant(t.app);
  const usage = octoberUsage(tenant.id);
  const r = await postUsage(t.app, tenant.executorKey, usage.all);
  expect(r.json()).toMatchObject({ accepted: 60 });
  return { ...tenant, usage };
}

async function octoberInvoice(key: string) {
  const r = await t.app.inject({ method: 'GET', url: '/v1/invoices?period=2026-10', headers: bearer(key) });
  expect(r.statusCode).toBe(200);
  const invoices = r.json().invoices as { id: string; status: string; total: string; lines: Line[] }[];
  expect(invoices).toHaveLength(1);
  return invoices[0]!;
}

const pick = (l: Line) => [l.kind, l.architecture, l.quantity, l.freeQuantity, l.billableQuantity, l.unitPrice, l.amount];

describe('October invoice drafts', () => {
  it('prices the month with the free tier from the most expensive usage first; the total is the sum of rounded lines', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await tenantWithOctober();
    const inv = await octoberInvoice(a.accountKey);
    expect(inv).toMatchObject({
      accountId: a.id,
      period: '2026-10',
      status: 'draft',
      currency: 'USD',
      priceVersion: 'aws-us-east-1-2025-08',
      freeTier: true,
    });
    // The 400,000 free GB-s go to x86_64 (0.0000166667 > arm64's 0.0000133334):
    // x86 50,000 x 0.0000166667 = 0.833335 -> 0.83; arm 10,000 x 0.0000133334 = 0.133334 -> 0.13;
    // storage 427,500 x 0.0000000309 = 0.01320975 -> 0.01. Unrounded they sum to 0.97987875 (0.98), but the
    // total is the sum of rounded lines: 0.97.
    expect(inv.lines.map(pick)).toEqual([
      ['requests', null, '60', '60', '0', '0.0000002', '0.00'],
      ['compute', 'x86_64', '450000', '400000', '50000', '0.0000166667', '0.83'],
      ['compute', 'arm64', '10000', '0', '10000', '0.0000133334', '0.13'],
      ['ephemeral_storage', null, '427500', '0', '427500', '0.0000000309', '0.01'],
    ]);
    expect(inv.lines.map((l) => l.description)).toEqual([
      'Requests',
      'Compute x86_64, tier 1 (first 6,000,000,000 GB-s)',
      'Compute arm64, tier 1 (first 7,500,000,000 GB-s)',
      'Ephemeral storage above 512 MB',
    ]);
    expect(inv.total).toBe('0.97');
  });

  it('bills everything when an admin switches the free tier off, and audits who and why', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await tenantWithOctober();
    const reason = 'contract customer: negotiated rate';
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/v1/accounts/${a.id}`,
      headers: admin,
      payload: { freeTier: false, reason },
    });
    expect(patch.statusCode).toBe(200);
    expect(patch.json().freeTier).toBe(false);
    const byAccountKey = await t.app.inject({
      method: 'PATCH',
      url: `/v1/accounts/${a.id}`,
      headers: bearer(a.accountKey),
      payload: { freeTier: true, reason: 'x' },
    });
    expect(byAccountKey.statusCode).toBe(403);

    const inv = await octoberInvoice(a.accountKey);
    expect(inv.lines.every((l) => l.freeQuantity === '0')).toBe(true);
    // 60 x 0.0000002 = 0.000012 -> 0.00; 450,000 x 0.0000166667 = 7.500015 -> 7.50; then 0.13 and 0.01 as before
    expect(inv.lines.map((l) => [l.billableQuantity, l.amount])).toEqual([
      ['60', '0.00'],
      ['450000', '7.50'],
      ['10000', '0.13'],
      ['427500', '0.01'],
    ]);
    expect(inv.total).toBe('7.64');

    const audit = await t.app.inject({
      method: 'GET',
      url: `/v1/audit?accountId=${a.id}&action=account.free_tier_changed`,
      headers: admin,
    });
    expect(audit.json().entries).toEqual([
      expect.objectContaining({
        actor: 'admin:env',
        action: 'account.free_tier_changed',
        accountId: a.id,
        subject: a.id,
        reason,
        details: { from: true, to: false },
      }),
    ]);
  });
});

describe('reading one invoice', () => {
  it('renders the same invoice as JSON, CSV and a self-contained HTML page', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const name = `Reading & Co ${Date.now()}`;
    const tenant = await newTenant(t.app, name);
    await postUsage(t.app, tenant.executorKey, octoberUsage(tenant.id).all);
    const inv = await octoberInvoice(tenant.accountKey);
    const url = `/v1/invoices/${inv.id}`;

    const json = await t.app.inject({ method: 'GET', url, headers: bearer(tenant.accountKey) });
    expect(json.headers['content-type']).toMatch(/application\/json/);
    expect(json.json()).toMatchObject({
      id: inv.id,
      period: '2026-10',
      total: '0.97',
      lines: inv.lines.map((l) => ({ ...l, id: expect.any(String) })),
    });

    const csv = await t.app.inject({ method: 'GET', url, headers: { ...bearer(tenant.accountKey), accept: 'text/csv' } });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const rows = parseCsv(csv.body);
    expect(rows[0]).toEqual([
      'invoice_id',
      'account_id',
      'period',
      'status',
      'price_version',
      'line',
      'kind',
      'architecture',
      'tier',
      'description',
      'quantity',
      'free_quantity',
      'billable_quantity',
      'unit_price',
      'amount',
      'currency',
    ]);
    expect(rows).toHaveLength(1 + 4 + 1);
    expect(rows[2]).toEqual([
      inv.id,
      tenant.id,
      '2026-10',
      'draft',
      'aws-us-east-1-2025-08',
      '2',
      'compute',
      'x86_64',
      '1',
      'Compute x86_64, tier 1 (first 6,000,000,000 GB-s)',
      '450000',
      '400000',
      '50000',
      '0.0000166667',
      '0.83',
      'USD',
    ]);
    expect(rows.slice(1, 5).map((r) => r[14])).toEqual(['0.00', '0.83', '0.13', '0.01']);
    expect(rows[5]).toEqual([
      inv.id,
      tenant.id,
      '2026-10',
      'draft',
      'aws-us-east-1-2025-08',
      '',
      'total',
      '',
      '',
      'Total',
      '',
      '',
      '',
      '',
      '0.97',
      'USD',
    ]);

    const html = await t.app.inject({ method: 'GET', url, headers: { ...bearer(tenant.accountKey), accept: 'text/html' } });
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    const page = html.body;
    expect(page.trimStart().toLowerCase().startsWith('<!doctype html>')).toBe(true);
    expect(page.trimEnd().endsWith('</html>')).toBe(true);
    expect(page).not.toMatch(/<script|<link/i);
    expect(page).toContain(name.replace('&', '&amp;'));
    expect(page).not.toContain(name); // the raw ampersand is escaped
    for (const needle of ['2026-10', 'October 2026', 'aws-us-east-1-2025-08', 'USD 0.97', ...inv.lines.map((l) => l.description)]) {
      expect(page).toContain(needle);
    }
    for (const tag of ['html', 'head', 'body', 'table', 'tbody']) {
      expect(page.match(new RegExp(`<${tag}[\\s>]`, 'g'))?.length, tag).toBe(page.split(`</${tag}>`).length - 1);
    }
  });

  it('explains a compute line with the rollup hours and, on request, the invocation ids behind it', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await tenantWithOctober();
    const inv = await octoberInvoice(a.accountKey);
    const x86 = inv.lines.find((l) => l.kind === 'compute' && l.architecture === 'x86_64')!;
    const url = `/v1/invoices/${inv.id}/lines/${x86.id}/usage`;

    const r = await t.app.inject({ method: 'GET', url, headers: bearer(a.accountKey) });
    expect(r.statusCode).toBe(200);
    const hours = r.json().hours as { hour: string; architecture: string; requests: number; gbSeconds: string }[];
    expect(hours).toHaveLength(10); // 5 days x 2 hours (fn-0 at :10, fn-1 at :11)
    expect(hours.every((h) => h.architecture === 'x86_64' && h.hour.startsWith('2026-10-0'))).toBe(true);
    expect(hours.reduce((n, h) => n + h.requests, 0)).toBe(50);
    expect(hours.reduce((sum, h) => sum.plus(h.gbSeconds), new Decimal(0)).toFixed()).toBe(x86.quantity);
    expect(r.json().invocations).toBeUndefined();

    const withIds = await t.app.inject({ method: 'GET', url: `${url}?invocations=true`, headers: bearer(a.accountKey) });
    const ids = (withIds.json().invocations as { invocationId: string }[]).map((i) => i.invocationId);
    expect(ids.sort()).toEqual(a.usage.x86.map((e) => e.invocationId).sort());

    const storage = inv.lines.find((l) => l.kind === 'ephemeral_storage')!;
    const s = await t.app.inject({ method: 'GET', url: `/v1/invoices/${inv.id}/lines/${storage.id}/usage`, headers: bearer(a.accountKey) });
    const ephemeral = (s.json().hours as { ephemeralGbSeconds: string }[]).reduce(
      (sum, h) => sum.plus(h.ephemeralGbSeconds),
      new Decimal(0),
    );
    expect(ephemeral.toFixed()).toBe(storage.quantity);
  });

  it("answers 404 to another tenant's key for the invoice in every rendering and for its line usage", async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await tenantWithOctober();
    const b = await newTenant(t.app);
    const inv = await octoberInvoice(a.accountKey);
    const line = inv.lines[1]!;
    const attempts = [
      { url: `/v1/invoices/${inv.id}`, accept: 'application/json' },
      { url: `/v1/invoices/${inv.id}`, accept: 'text/csv' },
      { url: `/v1/invoices/${inv.id}`, accept: 'text/html' },
      { url: `/v1/invoices/${inv.id}/lines/${line.id}/usage`, accept: 'application/json' },
      { url: `/v1/invoices/${inv.id}/lines/${line.id}/usage?invocations=true`, accept: 'application/json' },
    ];
    for (const { url, accept } of attempts) {
      const r = await t.app.inject({ method: 'GET', url, headers: { ...bearer(b.accountKey), accept } });
      expect(r.statusCode, `${url} ${accept}`).toBe(404);
      expect(r.headers['content-type']).toMatch(/application\/json/);
      expect(r.json().error.code).toBe('NOT_FOUND');
      expect(r.body).not.toContain(a.id);
    }
    const list = await t.app.inject({ method: 'GET', url: '/v1/invoices?period=2026-10', headers: bearer(b.accountKey) });
    expect(list.json().invoices.map((i: { accountId: string }) => i.accountId)).toEqual([b.id]);
    // the owner still reads it
    expect((await t.app.inject({ method: 'GET', url: `/v1/invoices/${inv.id}`, headers: bearer(a.accountKey) })).statusCode).toBe(200);
  });
});

describe('reading invoices writes nothing', () => {
  const stored = async (accountId: string) => {
    const { rows } = await sql<{ invoices: string; lines: string }>`
      select (select count(*) from invoices where account_id = ${accountId})::text as invoices,
             (select count(*) from invoice_lines where account_id = ${accountId})::text as lines`.execute(t.db.db);
    return rows[0];
  };

  it('computes drafts on read, for any month, in every rendering, and stores none of them', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await tenantWithOctober();
    const read = (url: string, accept = 'application/json') =>
      t.app.inject({ method: 'GET', url, headers: { ...bearer(a.accountKey), accept } });

    const list = await read('/v1/invoices');
    expect(list.statusCode).toBe(200);
    expect(list.json().invoices.map((i: { period: string; status: string }) => [i.period, i.status])).toEqual([['2026-11', 'draft']]);
    const oct = await octoberInvoice(a.accountKey);
    expect(oct).toMatchObject({ status: 'draft', total: '0.97' });
    expect((await octoberInvoice(a.accountKey)).id).toBe(oct.id); // the same draft, read twice
    for (const period of ['2025-09', '2025-08']) {
      const r = await read(`/v1/invoices?period=${period}`);
      expect(r.statusCode, period).toBe(200);
      expect(r.json().invoices, period).toEqual([expect.objectContaining({ period, status: 'draft', total: '0.00' })]);
    }
    // before the price catalog begins there is nothing to bill, and no draft
    const ancient = await read('/v1/invoices?period=0001-01');
    expect(ancient.statusCode).toBe(200);
    expect(ancient.json().invoices).toEqual([]);

    for (const accept of ['application/json', 'text/csv', 'text/html']) {
      expect((await read(`/v1/invoices/${oct.id}`, accept)).statusCode, accept).toBe(200);
    }
    expect((await read(`/v1/invoices/${oct.id}`)).json()).toEqual(oct);
    const x86 = oct.lines.find((l) => l.kind === 'compute')!;
    const usage = await read(`/v1/invoices/${oct.id}/lines/${x86.id}/usage`);
    expect(usage.statusCode).toBe(200);
    expect(usage.json().hours).toHaveLength(10);

    expect(await stored(a.id)).toEqual({ invoices: '0', lines: '0' });
  });
});

describe('GET /v1/cost/current', () => {
  const november = (accountId: string, n: number): UsageEvent[] =>
    Array.from({ length: n }, () =>
      usageEvent(accountId, { memoryMb: 10_240, durationMs: 900_000, startedAt: '2026-11-10T09:00:00.000Z' }),
    );

  it('shows month-to-date cost with the free tier applied, what is left of it, and a linear forecast', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z'); // 14.5 of November's 30 days elapsed
    const a = await newTenant(t.app);
    await postUsage(t.app, a.executorKey, november(a.id, 50)); // 450,000 GB-s, 50 requests
    const r = await t.app.inject({ method: 'GET', url: '/v1/cost/current', headers: bearer(a.accountKey) });
    expect(r.statusCode).toBe(200);
    const cost = r.json();
    expect(cost).toMatchObject({
      accountId: a.id,
      period: '2026-11',
      currency: 'USD',
      priceVersion: 'aws-us-east-1-2025-08',
      total: '0.83',
    });
    expect(cost.freeTier).toEqual({
      enabled: true,
      requestsUsed: 50,
      requestsRemaining: 999_950,
      gbSecondsUsed: '400000',
      gbSecondsRemaining: '0',
    });
    // Scaled by 30 / 14.5 in whole MB-ms: 460,800,000,000 x 60 / 29 = 953,379,310,344 (floored) = 931,034.4827578125 GB-s;
    // minus 400,000 free = 531,034.4827578125 x 0.0000166667 = 8.8505... -> 8.85; 103 requests stay free.
    expect(cost.forecast).toMatchObject({ total: '8.85', elapsedFraction: '0.4833' });
    expect(new Decimal(cost.forecast.total).gte(cost.total)).toBe(true);
  });

  it('forecasts exactly twice the usage at mid-month when all of it is billable within one tier', async () => {
    t.clock.set('2026-11-16T00:00:00.000Z'); // 15 of 30 days
    const a = await newTenant(t.app);
    await t.app.inject({
      method: 'PATCH',
      url: `/v1/accounts/${a.id}`,
      headers: admin,
      payload: { freeTier: false, reason: 'test: all billable' },
    });
    await postUsage(t.app, a.executorKey, november(a.id, 10)); // 90,000 GB-s, 10 requests
    const cost = (await t.app.inject({ method: 'GET', url: '/v1/cost/current', headers: bearer(a.accountKey) })).json();
    // 90,000 x 0.0000166667 = 1.500003 -> 1.50; 10 x 0.0000002 -> 0.00
    expect(cost.total).toBe('1.50');
    expect(cost.freeTier).toEqual({ enabled: false, requestsUsed: 0, requestsRemaining: 0, gbSecondsUsed: '0', gbSecondsRemaining: '0' });
    // 180,000 x 0.0000166667 = 3.000006 -> 3.00; 20 requests -> 0.00
    expect(cost.forecast).toMatchObject({ total: '3.00', elapsedFraction: '0.5000' });

    const asAdmin = await t.app.inject({ method: 'GET', url: '/v1/cost/current', headers: { ...admin, 'x-account-id': a.id } });
    expect(asAdmin.json().total).toBe('1.50');
  });
});

/** RFC 4180, enough for our own output: quoted fields may hold commas and doubled quotes. */
function parseCsv(text: string): string[][] {
  return text
    .split('\r\n')
    .filter((r) => r !== '')
    .map((row) => {
      const out: string[] = [];
      for (const m of row.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)) {
        const f = m[1]!;
        out.push(f.startsWith('"') ? f.slice(1, -1).replace(/""/g, '"') : f);
        if (m[2] === '') break;
      }
      return out;
    });
}
