import { beforeAll, describe, expect, it } from 'vitest';
import { admin, bearer, newTenant, postUsage, usageEvent, useTestApp } from '../helpers/app.js';

const t = useTestApp('2026-11-20T12:00:00Z');
let a: Awaited<ReturnType<typeof newTenant>>;
let b: Awaited<ReturnType<typeof newTenant>>;

const get = (key: string, query: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url: `/v1/usage?${query}`, headers: { ...bearer(key), ...headers } });

beforeAll(async () => {
  a = await newTenant(t.app);
  b = await newTenant(t.app);
  await postUsage(t.app, a.executorKey, [
    usageEvent(a.id, { functionId: 'resize', startedAt: '2026-10-31T23:30:00Z', durationMs: 1000, memoryMb: 1024 }),
    usageEvent(a.id, { functionId: 'resize', startedAt: '2026-11-01T00:10:00Z', durationMs: 1000, memoryMb: 1024 }),
    usageEvent(a.id, { functionId: 'resize', startedAt: '2026-11-01T00:50:00Z', durationMs: 1, memoryMb: 128, status: 'error' }),
    usageEvent(a.id, {
      functionId: 'thumb',
      startedAt: '2026-11-02T05:00:00Z',
      durationMs: 2000,
      memoryMb: 512,
      architecture: 'arm64',
      status: 'timeout',
    }),
  ]);
  await postUsage(t.app, b.executorKey, [usageEvent(b.id, { startedAt: '2026-11-01T00:10:00Z' })]);
});

describe('GET /v1/usage', () => {
  it('answers hourly buckets with exact GB-seconds', async () => {
    const r = await get(a.accountKey, 'from=2026-11-01T00:00:00Z&to=2026-11-03T00:00:00Z&granularity=hour');
    expect(r.statusCode).toBe(200);
    expect(r.json().buckets).toEqual([
      // 1000 ms x 1024 MB = 1 GB-s; 1 ms x 128 MB = 0.000125 GB-s
      { start: '2026-11-01T00:00:00.000Z', requests: 2, billedMs: 1001, gbSeconds: '1.000125', errors: 1, timeouts: 0 },
      { start: '2026-11-02T05:00:00.000Z', requests: 1, billedMs: 2000, gbSeconds: '1', errors: 0, timeouts: 1 },
    ]);
    expect(r.json().totals).toEqual({ requests: 3, billedMs: 3001, gbSeconds: '2.000125', errors: 1, timeouts: 1 });
  });

  it('buckets by UTC day and month, and groups by function or architecture', async () => {
    const months = await get(a.accountKey, 'from=2026-10-01T00:00:00Z&to=2026-12-01T00:00:00Z&granularity=month');
    expect(months.json().buckets.map((x: { start: string; requests: number }) => [x.start, x.requests])).toEqual([
      ['2026-10-01T00:00:00.000Z', 1],
      ['2026-11-01T00:00:00.000Z', 3],
    ]);
    const byFn = await get(a.accountKey, 'from=2026-10-01T00:00:00Z&to=2026-12-01T00:00:00Z&granularity=day&groupBy=function');
    expect(byFn.json().buckets.map((x: { start: string; functionId: string }) => [x.start.slice(0, 10), x.functionId])).toEqual([
      ['2026-10-31', 'resize'],
      ['2026-11-01', 'resize'],
      ['2026-11-02', 'thumb'],
    ]);
    const byArch = await get(a.accountKey, 'from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&granularity=month&groupBy=architecture');
    expect(byArch.json().buckets.map((x: { architecture: string; gbSeconds: string }) => [x.architecture, x.gbSeconds])).toEqual([
      ['arm64', '1'],
      ['x86_64', '1.000125'],
    ]);
  });

  it('filters by function and defaults to the month to date', async () => {
    const r = await get(a.accountKey, 'functionId=thumb&granularity=month');
    expect(r.json()).toMatchObject({ from: '2026-11-01T00:00:00.000Z', to: '2026-11-20T12:00:00.000Z' });
    expect(r.json().totals.requests).toBe(1);
  });

  it('with `to` alone, starts at the beginning of the UTC month `to` ends in', async () => {
    // Last month as a whole: `to` is this month's first instant, so the window is October's.
    const october = await get(a.accountKey, 'to=2026-11-01T00:00:00Z&granularity=month');
    expect(october.statusCode, october.body).toBe(200);
    expect(october.json()).toMatchObject({ from: '2026-10-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' });
    expect(october.json().totals.requests).toBe(1);
    const early = await get(a.accountKey, 'to=2026-11-01T01:00:00Z&granularity=hour');
    expect(early.json()).toMatchObject({ from: '2026-11-01T00:00:00.000Z' });
    expect(early.json().totals.requests).toBe(2);
  });

  it('answers the same rows as CSV', async () => {
    const r = await get(a.accountKey, 'from=2026-11-01T00:00:00Z&to=2026-11-03T00:00:00Z&granularity=day&groupBy=function', {
      accept: 'text/csv',
    });
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    expect(r.body.split('\r\n')).toEqual([
      'start,function_id,architecture,requests,billed_ms,gb_seconds,errors,timeouts',
      '2026-11-01T00:00:00.000Z,resize,,2,1001,1.000125,1,0',
      '2026-11-02T00:00:00.000Z,thumb,,1,2000,1,0,1',
      '',
    ]);
  });

  it('shows each tenant only its own usage; an admin names the account with X-Account-Id', async () => {
    const own = await get(b.accountKey, 'granularity=month');
    expect(own.json().totals.requests).toBe(1);
    const asAdmin = await t.app.inject({ method: 'GET', url: '/v1/usage?granularity=month', headers: { ...admin, 'x-account-id': a.id } });
    expect(asAdmin.json().totals.requests).toBe(3);
    const noAccount = await t.app.inject({ method: 'GET', url: '/v1/usage', headers: admin });
    expect(noAccount.statusCode).toBe(400);
    expect(noAccount.json().error.code).toBe('ACCOUNT_REQUIRED');
    const executor = await get(a.executorKey, 'granularity=month');
    expect(executor.statusCode).toBe(403);
  });

  it.each([
    ['granularity=week', 'query.granularity'],
    ['from=yesterday', 'query.from'],
    ['groupBy=region', 'query.groupBy'],
    ['from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z', 'from'],
    ['from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&granularity=hour', 'window'],
    ['bogus=1', 'query'],
  ])('refuses %s with a 400 naming the problem', async (query, mention) => {
    const r = await get(a.accountKey, query);
    expect(r.statusCode).toBe(400);
    expect(r.json().error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(r.json().error)).toContain(mention);
  });
});
