import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { admin, bearer, newTenant, postUsage, usageEvent, useTestApp } from '../helpers/app.js';

const t = useTestApp();

interface Line {
  kind: string;
  architecture: string | null;
  description: string;
  quantity: string;
  freeQuantity: string;
  billableQuantity: string;
  unitPrice: string;
  amount: string;
}

const quote = (payload: object, headers = admin) => t.app.inject({ method: 'POST', url: '/v1/quote', headers, payload });
const pick = (l: Line) => [l.kind, l.quantity, l.freeQuantity, l.billableQuantity, l.unitPrice, l.amount];
const worked = { architecture: 'x86_64', memoryMb: 512, requests: 3_000_000, durationMs: 1000 };

/** Rows in every table a quote must not touch. */
async function storedRows() {
  const { rows } = await sql<{ n: string }>`
    select (select count(*) from usage_events) + (select count(*) from usage_hourly) + (select count(*) from invoices)
         + (select count(*) from invoice_lines) + (select count(*) from audit_log) + (select count(*) from price_versions) as n`.execute(
    t.db.db,
  );
  return rows[0]!.n;
}

describe('POST /v1/quote', () => {
  it('prices the worked example: 512 MB, 3M requests of 1 s on x86_64 with the free tier is 18.73', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const tenant = await newTenant(t.app);
    const before = await storedRows();
    const r = await quote({ freeTier: true, workloads: [worked] }, bearer(tenant.accountKey));
    expect(r.statusCode).toBe(200);
    const q = r.json();
    expect(q).toMatchObject({ priceVersion: 'aws-us-east-1-2025-08', currency: 'USD', freeTier: true, total: '18.73' });
    // 3,000,000 x 1,000 ms x 512 MB / 1,024,000 = 1,500,000 GB-s; 1,100,000 x 0.0000166667 = 18.33337 -> 18.33
    // requests: 2,000,000 billable x 0.0000002 = 0.40
    expect(q.lines.map(pick)).toEqual([
      ['requests', '3000000', '1000000', '2000000', '0.0000002', '0.40'],
      ['compute', '1500000', '400000', '1100000', '0.0000166667', '18.33'],
    ]);
    expect(q.lines[1].description).toBe('Compute x86_64, tier 1 (first 6,000,000,000 GB-s)');
    expect(await storedRows()).toBe(before);
  });

  it('bills every request and GB-s with the free tier off (and by default it is on)', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const q = (await quote({ freeTier: false, workloads: [worked] })).json();
    // 3,000,000 x 0.0000002 = 0.60; 1,500,000 x 0.0000166667 = 25.00005 -> 25.00
    expect(q.lines.map(pick)).toEqual([
      ['requests', '3000000', '0', '3000000', '0.0000002', '0.60'],
      ['compute', '1500000', '0', '1500000', '0.0000166667', '25.00'],
    ]);
    expect(q).toMatchObject({ freeTier: false, total: '25.60' });
    expect((await quote({ workloads: [worked] })).json()).toMatchObject({ freeTier: true, total: '18.73' });
  });

  it('prices arm64 at its own rate', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const q = (await quote({ freeTier: true, workloads: [{ ...worked, architecture: 'arm64' }] })).json();
    // 1,100,000 x 0.0000133334 = 14.66674 -> 14.67; + 0.40
    expect(q.lines[1]).toMatchObject({
      kind: 'compute',
      architecture: 'arm64',
      description: 'Compute arm64, tier 1 (first 7,500,000,000 GB-s)',
      unitPrice: '0.0000133334',
      amount: '14.67',
    });
    expect(q.total).toBe('15.07');
  });

  it('bills ephemeral storage above 512 MB, with no free tier of its own', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const q = (
      await quote({
        freeTier: true,
        workloads: [{ architecture: 'x86_64', memoryMb: 128, requests: 10_000_000, durationMs: 999.2, ephemeralStorageMb: 10_240 }],
      })
    ).json();
    // 999.2 ms is billed as 1,000 ms per request. Compute: 10M x 1,000 x 128 / 1,024,000 = 1,250,000 GB-s,
    // 850,000 x 0.0000166667 = 14.166695 -> 14.17. Requests: 9M x 0.0000002 = 1.80.
    // Storage: 10M x 1,000 x (10,240 - 512) / 1,024,000 = 95,000,000 GB-s x 0.0000000309 = 2.9355 -> 2.94.
    expect(q.lines.map(pick)).toEqual([
      ['requests', '10000000', '1000000', '9000000', '0.0000002', '1.80'],
      ['compute', '1250000', '400000', '850000', '0.0000166667', '14.17'],
      ['ephemeral_storage', '95000000', '0', '95000000', '0.0000000309', '2.94'],
    ]);
    expect(q.lines[2].description).toBe('Ephemeral storage above 512 MB');
    expect(q.total).toBe('18.91');
  });

  it('splits compute into graduated tiers and takes the free GB-s from the most expensive one', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const q = (
      await quote({ freeTier: true, workloads: [{ architecture: 'x86_64', memoryMb: 10_240, requests: 1_000_000, durationMs: 900_000 }] })
    ).json();
    // 1M x 900 s x 10 GB = 9,000,000,000 GB-s: tier 1 holds 6,000,000,000 (400,000 free), tier 2 the next 3,000,000,000.
    // 5,999,600,000 x 0.0000166667 = 99,993.53332 -> 99,993.53; 3,000,000,000 x 0.000015 = 45,000.00
    expect(q.lines.map(pick)).toEqual([
      ['requests', '1000000', '1000000', '0', '0.0000002', '0.00'],
      ['compute', '6000000000', '400000', '5999600000', '0.0000166667', '99993.53'],
      ['compute', '3000000000', '0', '3000000000', '0.000015', '45000.00'],
    ]);
    expect(q.lines[2].description).toBe('Compute x86_64, tier 2 (next 9,000,000,000 GB-s)');
    expect(q.total).toBe('144993.53');
  });

  it('refuses bad input with 400 VALIDATION_FAILED and stores nothing', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const before = await storedRows();
    const bad: [string, object][] = [
      ['memory below 128 MB', { workloads: [{ ...worked, memoryMb: 127 }] }],
      ['memory above 10,240 MB', { workloads: [{ ...worked, memoryMb: 10_241 }] }],
      ['fractional memory', { workloads: [{ ...worked, memoryMb: 512.5 }] }],
      ['unknown workload field', { workloads: [{ ...worked, region: 'eu-west-1' }] }],
      ['unknown top-level field', { workloads: [worked], discount: '0.5' }],
      ['empty workloads', { workloads: [] }],
      ['no workloads', { freeTier: true }],
      ['unknown architecture', { workloads: [{ ...worked, architecture: 'riscv' }] }],
      ['negative requests', { workloads: [{ ...worked, requests: -1 }] }],
      ['duration over 15 minutes', { workloads: [{ ...worked, durationMs: 900_001 }] }],
      ['ephemeral storage below 512 MB', { workloads: [{ ...worked, ephemeralStorageMb: 256 }] }],
    ];
    for (const [name, payload] of bad) {
      const r = await quote(payload);
      expect(r.statusCode, name).toBe(400);
      expect(r.json().error.code, name).toBe('VALIDATION_FAILED');
    }
    expect(await storedRows()).toBe(before);
  });
});

/** A version unlike the seeded one in every figure, so an invoice priced with it is unmistakable. */
const flatVersion = (id: string, effectiveFrom: string) => ({
  id,
  effectiveFrom,
  requestPricePerMillion: '0.30',
  ephemeralPerGbSecond: '0.00000004',
  freeRequests: 0,
  freeGbSeconds: '0',
  billsInit: false,
  reason: 'flat test prices',
  compute: { x86_64: [{ upToGbSeconds: null, unitPrice: '0.00002' }], arm64: [{ upToGbSeconds: null, unitPrice: '0.00001' }] },
});

const addVersion = (payload: object, headers = admin) => t.app.inject({ method: 'POST', url: '/v1/prices', headers, payload });

describe('the price catalog', () => {
  it('lists the seeded AWS us-east-1 prices as the version in force', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const tenant = await newTenant(t.app);
    const r = await t.app.inject({ method: 'GET', url: '/v1/prices', headers: bearer(tenant.accountKey) });
    expect(r.statusCode).toBe(200);
    expect(r.json().current).toEqual({
      id: 'aws-us-east-1-2025-08',
      effectiveFrom: '2025-08',
      currency: 'USD',
      requestPricePerMillion: '0.2',
      compute: {
        x86_64: [
          { upToGbSeconds: '6000000000', unitPrice: '0.0000166667' },
          { upToGbSeconds: '15000000000', unitPrice: '0.000015' },
          { upToGbSeconds: null, unitPrice: '0.0000133334' },
        ],
        arm64: [
          { upToGbSeconds: '7500000000', unitPrice: '0.0000133334' },
          { upToGbSeconds: '18750000000', unitPrice: '0.0000120001' },
          { upToGbSeconds: null, unitPrice: '0.0000106667' },
        ],
      },
      ephemeralPerGbSecond: '0.0000000309',
      freeRequests: 1_000_000,
      freeGbSeconds: '400000',
      billsInit: true,
    });
  });

  it('adds a version from a future month only, once, by an admin, audited', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const tenant = await newTenant(t.app);
    const created = await addVersion(flatVersion('flat-2026-12', '2026-12'));
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: 'flat-2026-12', effectiveFrom: '2026-12', requestPricePerMillion: '0.3', billsInit: false });

    for (const month of ['2026-10', '2026-11']) {
      const r = await addVersion(flatVersion(`flat-${month}`, month));
      expect(r.statusCode, month).toBe(400);
      expect(r.json().error.code).toBe('VALIDATION_FAILED');
    }
    for (const dup of [flatVersion('flat-2026-12', '2027-03'), flatVersion('flat-other', '2026-12')]) {
      const r = await addVersion(dup);
      expect(r.statusCode, JSON.stringify(dup)).toBe(409);
      expect(r.json().error.code).toBe('CONFLICT');
    }
    expect((await addVersion(flatVersion('flat-2027-02', '2027-02'), bearer(tenant.accountKey))).statusCode).toBe(403);
    const bounded = {
      ...flatVersion('bounded', '2027-04'),
      compute: { x86_64: [{ upToGbSeconds: '100', unitPrice: '1' }], arm64: [{ upToGbSeconds: null, unitPrice: '1' }] },
    };
    expect((await addVersion(bounded)).statusCode).toBe(400);

    const catalog = (await t.app.inject({ method: 'GET', url: '/v1/prices', headers: admin })).json();
    expect(catalog.current.id).toBe('aws-us-east-1-2025-08');
    expect(catalog.versions.map((v: { id: string }) => v.id)).toEqual(['aws-us-east-1-2025-08', 'flat-2026-12']);

    const audit = await t.app.inject({ method: 'GET', url: '/v1/audit?action=price_version.created', headers: admin });
    expect(audit.json().entries).toEqual([
      expect.objectContaining({
        actor: 'admin:env',
        action: 'price_version.created',
        accountId: null,
        subject: 'flat-2026-12',
        reason: 'flat test prices',
        details: expect.objectContaining({ effectiveFrom: '2026-12', requestPricePerMillion: '0.3' }),
      }),
    ]);
    // Neither the api's role (no such privilege) nor the owner (the trigger) may change a version.
    await expect(sql`update price_versions set request_price_per_million = 0 where id = 'flat-2026-12'`.execute(t.db.db)).rejects.toThrow(
      /permission denied/,
    );
    await expect(
      sql`update price_versions set request_price_per_million = 0 where id = 'flat-2026-12'`.execute(t.db.owner),
    ).rejects.toThrow(/append-only/);
  });

  it('prices a month after the new version starts with it, and names it on the invoice', async () => {
    t.clock.set('2027-01-02T00:30:00.000Z');
    const tenant = await newTenant(t.app);
    // 10 invocations of 10,240 MB x 900,000 ms, each with a 10 s cold start: the new version does not bill init
    const events = Array.from({ length: 10 }, () =>
      usageEvent(tenant.id, { memoryMb: 10_240, durationMs: 900_000, initDurationMs: 10_000, startedAt: '2026-12-10T10:00:00.000Z' }),
    );
    expect((await postUsage(t.app, tenant.executorKey, events)).json()).toMatchObject({ accepted: 10 });
    // and one in November, still priced with the seeded version
    await postUsage(t.app, tenant.executorKey, [usageEvent(tenant.id, { startedAt: '2026-11-30T23:59:00.000Z' })]);

    expect((await t.app.inject({ method: 'GET', url: '/v1/prices', headers: admin })).json().current.id).toBe('flat-2026-12');
    expect((await quote({ workloads: [worked] })).json().priceVersion).toBe('flat-2026-12');

    for (const period of ['2026-11', '2026-12']) {
      expect((await t.app.inject({ method: 'POST', url: '/v1/invoices/run', headers: admin, payload: { period } })).statusCode).toBe(200);
    }
    const invoices = async (period: string) =>
      (await t.app.inject({ method: 'GET', url: `/v1/invoices?period=${period}`, headers: bearer(tenant.accountKey) })).json().invoices;
    const [dec] = await invoices('2026-12');
    expect(dec).toMatchObject({ status: 'finalized', priceVersion: 'flat-2026-12' });
    // handler time only: 10 x 900,000 ms x 10,240 MB / 1,024,000 = 90,000 GB-s x 0.00002 = 1.80 (91,000 with init);
    // no free tier in this version: 10 x 0.0000003 = 0.000003 -> 0.00
    expect(dec.lines.map(pick)).toEqual([
      ['requests', '10', '0', '10', '0.0000003', '0.00'],
      ['compute', '90000', '0', '90000', '0.00002', '1.80'],
    ]);
    expect(dec.lines[1].description).toBe('Compute x86_64, tier 1 (all GB-s)');
    expect(dec.total).toBe('1.80');
    const [nov] = await invoices('2026-11');
    expect(nov).toMatchObject({ status: 'finalized', priceVersion: 'aws-us-east-1-2025-08', total: '0.00' });
  });
});

describe('price precision', () => {
  it('refuses a price with more decimals (or digits) than the catalog keeps, naming the field, and stores nothing', async () => {
    t.clock.set('2027-01-02T00:30:00.000Z');
    const base = flatVersion('precise', '2030-01');
    const bad: [string, object][] = [
      ['requestPricePerMillion', { ...base, requestPricePerMillion: '0.30000000001' }], // numeric(20, 10)
      ['requestPricePerMillion', { ...base, requestPricePerMillion: '12345678901' }],
      ['ephemeralPerGbSecond', { ...base, ephemeralPerGbSecond: '0.00000004000000001' }], // numeric(24, 16)
      ['freeGbSeconds', { ...base, freeGbSeconds: '400000.0000001' }], // numeric(24, 6)
      [
        'compute.x86_64[0].unitPrice',
        { ...base, compute: { ...base.compute, x86_64: [{ upToGbSeconds: null, unitPrice: '0.00002000000000001' }] } },
      ],
      [
        'compute.arm64[0].upToGbSeconds',
        {
          ...base,
          compute: {
            ...base.compute,
            arm64: [
              { upToGbSeconds: '100.0000001', unitPrice: '0.00001' },
              { upToGbSeconds: null, unitPrice: '0.00001' },
            ],
          },
        },
      ],
    ];
    const before = await storedRows();
    for (const [field, payload] of bad) {
      const r = await addVersion(payload);
      expect(r.statusCode, field).toBe(400);
      expect(r.json().error.code, field).toBe('VALIDATION_FAILED');
      expect(r.json().error.message, field).toContain(field);
    }
    expect(await storedRows()).toBe(before);

    // at the limit (trailing zeros are not precision) it is stored exactly as answered and audited
    const exact = {
      ...base,
      requestPricePerMillion: '1234567890.0123456789',
      ephemeralPerGbSecond: '0.0000000400000001',
      freeGbSeconds: '400000.123456000',
      compute: {
        x86_64: [
          { upToGbSeconds: '100.000001', unitPrice: '0.0000200000000001' },
          { upToGbSeconds: null, unitPrice: '0.00002' },
        ],
        arm64: base.compute.arm64,
      },
    };
    const created = await addVersion(exact);
    expect(created.statusCode).toBe(201);
    const stored = (await t.app.inject({ method: 'GET', url: '/v1/prices', headers: admin }))
      .json()
      .versions.find((v: { id: string }) => v.id === 'precise');
    expect(stored).toEqual(created.json());
    expect(stored).toMatchObject({
      requestPricePerMillion: '1234567890.0123456789',
      ephemeralPerGbSecond: '0.0000000400000001',
      freeGbSeconds: '400000.123456',
    });
    expect(stored.compute.x86_64[0]).toEqual({ upToGbSeconds: '100.000001', unitPrice: '0.0000200000000001' });
  });
});

describe('a price version that does not bill init', () => {
  it('leaves init time out of ephemeral storage as it does out of compute', async () => {
    t.clock.set('2027-01-02T00:30:00.000Z');
    const tenant = await newTenant(t.app);
    // 10 invocations of 1,024 MB with 10,240 MB of ephemeral storage, 900,000 ms each plus a 10 s cold start, in
    // December (flat-2026-12: billsInit false)
    const events = Array.from({ length: 10 }, () =>
      usageEvent(tenant.id, {
        memoryMb: 1024,
        durationMs: 900_000,
        initDurationMs: 10_000,
        ephemeralStorageMb: 10_240,
        startedAt: '2026-12-11T10:00:00.000Z',
      }),
    );
    expect((await postUsage(t.app, tenant.executorKey, events)).json()).toMatchObject({ accepted: 10 });
    const draft = (await t.app.inject({ method: 'GET', url: '/v1/invoices?period=2026-12', headers: bearer(tenant.accountKey) })).json()
      .invoices[0];
    // handler time only: compute 10 x 900,000 ms x 1,024 MB / 1,024,000 = 9,000 GB-s; storage (10,240 - 512) MB x 900,000 ms
    // x 10 / 1,024,000 = 85,500 GB-s (86,450 with init) x 0.00000004 = 0.00342 -> 0.00
    expect(draft.lines.map(pick)).toEqual([
      ['requests', '10', '0', '10', '0.0000003', '0.00'],
      ['compute', '9000', '0', '9000', '0.00002', '0.18'],
      ['ephemeral_storage', '85500', '0', '85500', '0.00000004', '0.00'],
    ]);

    await t.app.inject({ method: 'POST', url: '/v1/invoices/run', headers: admin, payload: { period: '2026-12' } });
    const dec = (await t.app.inject({ method: 'GET', url: '/v1/invoices?period=2026-12', headers: bearer(tenant.accountKey) })).json()
      .invoices[0];
    expect(dec).toMatchObject({ status: 'finalized', total: '0.18' });
    expect(dec.lines.map(pick)).toEqual(draft.lines.map(pick));
  });
});
