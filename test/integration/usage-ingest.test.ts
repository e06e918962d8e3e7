import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { uuid7 } from '../../src/lib/uuid7.js';
import { fleetExecutor, newTenant, postUsage, usageEvent, useTestApp } from '../helpers/app.js';

const t = useTestApp();

async function storedEvent(invocationId: string) {
  return t.db.db.selectFrom('usage_events').selectAll().where('invocation_id', '=', invocationId).executeTakeFirstOrThrow();
}

/** The hourly rollups of an account, one row per key (its shards summed, as every reader does). */
async function hourly(accountId: string) {
  const { rows } = await sql<{
    hour: Date;
    function_id: string;
    architecture: string;
    requests: string;
    billed_ms: string;
    mb_ms: string;
    init_mb_ms: string;
    errors: string;
    timeouts: string;
  }>`
    select hour, function_id, architecture, sum(requests)::text as requests, sum(billed_ms)::text as billed_ms,
           sum(mb_ms)::text as mb_ms, sum(init_mb_ms)::text as init_mb_ms, sum(errors)::text as errors, sum(timeouts)::text as timeouts
    from usage_hourly where account_id = ${accountId}
    group by hour, function_id, architecture order by hour, function_id, architecture`.execute(t.db.db);
  return rows;
}

describe('POST /v1/usage', () => {
  it('stores events, computes billed ms on the server and rolls them up per hour', async () => {
    const a = await newTenant(t.app);
    const events = [
      usageEvent(a.id, { durationMs: 999.5 }),
      usageEvent(a.id, { durationMs: 0.2, initDurationMs: 120.4, memoryMb: 1024, status: 'error' }),
      usageEvent(a.id, { durationMs: 3000, status: 'timeout', architecture: 'arm64', startedAt: '2026-11-15T11:05:00Z' }),
    ];
    const r = await postUsage(t.app, a.executorKey, events);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ accepted: 3, duplicates: 0, conflicts: 0 });
    expect((await storedEvent(events[0]!.invocationId)).billed_ms).toBe('1000');
    // init counts toward billed time: ceil(0.2 + 120.4) = 121
    expect((await storedEvent(events[1]!.invocationId)).billed_ms).toBe('121');
    const rows = await hourly(a.id);
    expect(rows.map((h) => [h.hour.toISOString(), h.architecture, h.requests, h.billed_ms, h.mb_ms, h.errors, h.timeouts])).toEqual([
      ['2026-11-15T10:00:00.000Z', 'x86_64', '2', '1121', String(1000 * 512 + 121 * 1024), '1', '0'],
      ['2026-11-15T11:00:00.000Z', 'arm64', '1', '3000', String(3000 * 512), '0', '1'],
    ]);
    // the init share of MB-ms, kept apart for price versions that do not bill init: (121 - ceil(0.2)) x 1024
    expect(rows[0]!.init_mb_ms).toBe(String(120 * 1024));
  });

  it('cuts a startedAt past microseconds, so that its row, its hour and its month are one instant', async () => {
    // Postgres would round 23:59:59.9999999 up to the next day, the next month's invoice; the rollups read the text as it is.
    const a = await newTenant(t.app);
    const late = usageEvent(a.id, { startedAt: '2026-10-31T23:59:59.9999999Z' });
    const offset = usageEvent(a.id, { startedAt: '2026-11-15T06:59:59.99999999+01:00' });
    expect((await postUsage(t.app, a.executorKey, [late, offset])).json()).toMatchObject({ accepted: 2 });
    expect((await storedEvent(late.invocationId)).started_at.toISOString()).toBe('2026-10-31T23:59:59.999Z');
    const { rows } = await sql<{ started: string; hour: string; period: string }>`
      select to_char(e.started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as started,
             to_char(h.hour at time zone 'UTC', 'YYYY-MM-DD"T"HH24') as hour, to_char(m.period, 'YYYY-MM') as period
      from usage_events e
      join usage_hourly h on h.account_id = e.account_id and h.hour = date_trunc('hour', e.started_at, 'UTC')
      join usage_monthly m on m.account_id = e.account_id and m.period = date_trunc('month', e.started_at, 'UTC')::date
      where e.account_id = ${a.id} order by 1`.execute(t.db.db);
    expect(rows).toEqual([
      { started: '2026-10-31T23:59:59.999999', hour: '2026-10-31T23', period: '2026-10' },
      { started: '2026-11-15T05:59:59.999999', hour: '2026-11-15T05', period: '2026-11' },
    ]);
    expect((await hourly(a.id)).map((r) => r.hour.toISOString())).toEqual(['2026-10-31T23:00:00.000Z', '2026-11-15T05:00:00.000Z']);
  });

  it('caps handler time at 15 minutes and init at 10 s, keeping the raw value visible', async () => {
    const a = await newTenant(t.app);
    const long = usageEvent(a.id, { durationMs: 2_000_000 });
    const slowInit = usageEvent(a.id, { durationMs: 10, initDurationMs: 25_000 });
    await postUsage(t.app, a.executorKey, [long, slowInit]);
    const row = await storedEvent(long.invocationId);
    expect(row.billed_ms).toBe('900000');
    expect(row.duration_ms).toBe('2000000');
    expect(row.duration_capped).toBe(true);
    const init = await storedEvent(slowInit.invocationId);
    expect(init.billed_ms).toBe('10010');
    expect(init.init_duration_ms).toBe('25000');
    expect(init.duration_capped).toBe(false);
  });

  it('rounds billed time with exact decimals: 999.7 + 0.3 of init is 1000, not 1001', async () => {
    const a = await newTenant(t.app);
    const e = usageEvent(a.id, { durationMs: 999.7, initDurationMs: 0.3 });
    await postUsage(t.app, a.executorKey, [e]);
    expect((await storedEvent(e.invocationId)).billed_ms).toBe('1000');
  });

  it('counts a replay as a duplicate forever, also when its startedAt changed, and never twice', async () => {
    const a = await newTenant(t.app);
    const e = usageEvent(a.id);
    expect((await postUsage(t.app, a.executorKey, [e])).json()).toMatchObject({ accepted: 1, duplicates: 0 });
    const before = await hourly(a.id);
    const replay = await postUsage(t.app, a.executorKey, [e, { ...e, startedAt: '2026-11-15T11:59:00Z' }]);
    expect(replay.json()).toMatchObject({ accepted: 0, duplicates: 2, conflicts: 0 });
    expect(await hourly(a.id)).toEqual(before);
  });

  it('reports a known invocation id with different content as a conflict and keeps the first', async () => {
    const a = await newTenant(t.app);
    const e = usageEvent(a.id, { durationMs: 100 });
    await postUsage(t.app, a.executorKey, [e]);
    const r = await postUsage(t.app, a.executorKey, [
      { ...e, durationMs: 5000 },
      { ...e, status: 'error' },
    ]);
    expect(r.json()).toMatchObject({ accepted: 0, duplicates: 0, conflicts: 2, conflictIds: [e.invocationId, e.invocationId] });
    expect((await storedEvent(e.invocationId)).billed_ms).toBe('100');
    expect((await hourly(a.id))[0]!.requests).toBe('1');
  });

  it('sorts duplicates and conflicts inside one batch', async () => {
    const a = await newTenant(t.app);
    const e = usageEvent(a.id);
    const r = await postUsage(t.app, a.executorKey, [e, { ...e }, { ...e, memoryMb: 1024 }, usageEvent(a.id)]);
    expect(r.json()).toMatchObject({ accepted: 2, duplicates: 1, conflicts: 1 });
  });

  it('treats invocation ids per account: the same id under two accounts is two invocations', async () => {
    const a = await newTenant(t.app);
    const b = await newTenant(t.app);
    const fleet = await fleetExecutor(t.app, t.db.db, t.services.secretBox);
    const id = randomUUID();
    const r = await postUsage(
      t.app,
      fleet.key,
      [usageEvent(a.id, { invocationId: id }), usageEvent(b.id, { invocationId: id })].map((e) => fleet.signed(e)),
    );
    expect(r.json()).toMatchObject({ accepted: 2, duplicates: 0 });
  });

  it('places each event by the month its v7 invocation id was made in, creating the partition on demand; other ids in their own', async () => {
    const a = await newTenant(t.app);
    const feb = Date.parse('2026-02-28T23:59:59.999Z'); // within the 12-month billing look-back
    const old = usageEvent(a.id, { invocationId: uuid7(feb), startedAt: new Date(feb).toISOString() });
    const nov = usageEvent(a.id, { invocationId: uuid7(Date.parse('2026-11-16T01:00:00Z')), startedAt: '2026-11-16T01:00:00Z' });
    const v4 = usageEvent(a.id);
    const r = await postUsage(t.app, a.executorKey, [old, nov, v4]);
    expect(r.json().accepted).toBe(3);
    const { rows } = await sql<{ part: string; invocation_id: string }>`
      select tableoid::regclass::text as part, invocation_id from usage_events where account_id = ${a.id}`.execute(t.db.db);
    expect(Object.fromEntries(rows.map((row) => [row.invocation_id, row.part]))).toEqual({
      [old.invocationId]: 'usage_events_id_2026_02',
      [nov.invocationId]: 'usage_events_id_2026_11',
      [v4.invocationId]: 'usage_events_other',
    });
    // Each month's partition brings the next one's, made before that month's first usage arrives.
    const parts = await sql<{ name: string }>`
      select inhrelid::regclass::text as name from pg_inherits where inhparent = 'usage_events'::regclass`.execute(t.db.db);
    expect(parts.rows.map((p) => p.name)).toEqual(expect.arrayContaining(['usage_events_id_2026_03', 'usage_events_id_2026_12']));
    expect((await hourly(a.id))[0]!.hour.toISOString()).toBe('2026-02-28T23:00:00.000Z');
    // A replay is caught by the one primary key whatever its startedAt says, in any partition.
    const replay = await postUsage(t.app, a.executorKey, [{ ...old, startedAt: '2026-11-15T00:00:00Z' }, nov, v4]);
    expect(replay.json()).toMatchObject({ accepted: 0, duplicates: 3, conflicts: 0 });
  });

  it("makes the next month's partition ahead also when the month itself was made ahead by the one before", async () => {
    // An api that saw April's ids made May's partition with April's; its first May ids must bring June's, or
    // June's is made by its first batches, on the first of the month, under every executor's first reports of it.
    const a = await newTenant(t.app);
    const at = (iso: string) => usageEvent(a.id, { invocationId: uuid7(Date.parse(iso)), startedAt: iso });
    expect((await postUsage(t.app, a.executorKey, [at('2026-04-10T10:00:00Z')])).statusCode).toBe(200);
    expect((await postUsage(t.app, a.executorKey, [at('2026-05-10T10:00:00Z')])).statusCode).toBe(200);
    const parts = await sql<{ name: string }>`
      select inhrelid::regclass::text as name from pg_inherits where inhparent = 'usage_events'::regclass`.execute(t.db.db);
    expect(parts.rows.map((p) => p.name)).toEqual(expect.arrayContaining(['usage_events_id_2026_05', 'usage_events_id_2026_06']));
  });

  it('refuses a v7 invocation id whose time no real id could carry (it would place the row in a month of its own)', async () => {
    const a = await newTenant(t.app);
    const future = usageEvent(a.id, { invocationId: uuid7(Date.now() + 3 * 86400_000) });
    const r = await postUsage(t.app, a.executorKey, [usageEvent(a.id), future]);
    expect(r.statusCode).toBe(400);
    expect(r.json().error.message).toMatch(/^events\[1\]\.invocationId: .* is a version 7 id whose time is not plausible/);
    expect((await hourly(a.id)).length).toBe(0);
  });

  it('ingests concurrent overlapping batches without deadlock and counts each invocation once', async () => {
    const a = await newTenant(t.app);
    const events = Array.from({ length: 400 }, (_, i) =>
      usageEvent(a.id, { functionId: `fn-${i % 7}`, startedAt: `2026-11-15T0${i % 10}:15:00Z`, durationMs: 10 + i }),
    );
    const shuffled = (xs: typeof events) => [...xs].sort(() => Math.random() - 0.5);
    const answers = await Promise.all(Array.from({ length: 6 }, () => postUsage(t.app, a.executorKey, shuffled(events))));
    expect(answers.every((r) => r.statusCode === 200)).toBe(true);
    expect(answers.reduce((n, r) => n + r.json().accepted, 0)).toBe(400);
    expect(answers.reduce((n, r) => n + r.json().duplicates, 0)).toBe(5 * 400);
    const rows = await hourly(a.id);
    expect(rows.reduce((n, h) => n + Number(h.requests), 0)).toBe(400);
    expect(rows.reduce((n, h) => n + Number(h.billed_ms), 0)).toBe(events.reduce((n, e) => n + e.durationMs, 0));
  });

  it('spreads concurrent batches of one key over rollup shards, and every reader sums them', async () => {
    const a = await newTenant(t.app);
    const batches = Array.from({ length: 8 }, (_, b) =>
      Array.from({ length: 25 }, (_, i) => usageEvent(a.id, { durationMs: 1 + b * 25 + i, startedAt: '2026-11-15T10:15:00Z' })),
    );
    const answers = await Promise.all(batches.map((events) => postUsage(t.app, a.executorKey, events)));
    expect(answers.every((r) => r.statusCode === 200)).toBe(true);
    const shards = await sql<{ shard: number; requests: string }>`
      select shard, requests::text from usage_hourly where account_id = ${a.id} order by shard`.execute(t.db.db);
    // Eight batches in turn: eight rows for the one key, 25 requests each.
    expect(shards.rows).toEqual(Array.from({ length: 8 }, () => ({ shard: expect.any(Number), requests: '25' })));
    expect(new Set(shards.rows.map((r) => r.shard)).size).toBe(8);
    const billed = (200 * 201) / 2;
    expect(await hourly(a.id)).toEqual([expect.objectContaining({ requests: '200', billed_ms: String(billed) })]);
    const usage = await t.app.inject({
      method: 'GET',
      url: '/v1/usage?from=2026-11-15T00:00:00Z&to=2026-11-16T00:00:00Z&granularity=day',
      headers: { authorization: `Bearer ${a.accountKey}` },
    });
    expect(usage.json().totals).toMatchObject({ requests: 200, billedMs: billed });
    const monthly = await sql<{ requests: string }>`
      select sum(requests)::text as requests from usage_monthly where account_id = ${a.id}`.execute(t.db.db);
    expect(monthly.rows[0]!.requests).toBe('200');
  });
});
