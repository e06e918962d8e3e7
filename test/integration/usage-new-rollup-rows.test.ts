import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { rollupsOf } from '../../src/modules/usage/rollups.js';
import { createUsageRepository, KnownHourlyRows, type MeteredEvent } from '../../src/modules/usage/usage.repository.js';
import { newTenant, useTestApp } from '../helpers/app.js';

const t = useTestApp();

/** An event whose invocation id is not v7 (id month 0), started in `hour` (an ISO hour, 'YYYY-MM-DDTHH'). */
function event(accountId: string, hour: string, functionId = 'fn-a'): MeteredEvent {
  return {
    accountId,
    invocationId: randomUUID(),
    idMonth: 0,
    functionId,
    architecture: 'x86_64',
    memoryMb: 256,
    durationMs: '10.5',
    initDurationMs: null,
    billedMs: '11',
    startedAt: `${hour}:05:00.000Z`,
    status: 'success',
    maxMemoryUsedMb: null,
    ephemeralStorageMb: 512,
  };
}

async function hourly(accountId: string) {
  const { rows } = await sql<{ hour: Date; function_id: string; shard: number; requests: string; mb_ms: string }>`
    select hour, function_id, shard, requests::text, mb_ms::text from usage_hourly where account_id = ${accountId}
    order by hour, function_id, shard`.execute(t.db.db);
  return rows.map((r) => ({ hour: r.hour.toISOString(), fn: r.function_id, shard: r.shard, requests: r.requests, mbMs: r.mb_ms }));
}

describe('hourly rollup rows the api takes for new', () => {
  it('are inserted plainly, then upserted once this api knows them', async () => {
    const a = await newTenant(t.app);
    const repo = createUsageRepository(t.db.db);
    await repo.ensurePartitions([0]);
    const first = await repo.insertBatch([event(a.id, '2026-11-15T08'), event(a.id, '2026-11-15T09')], 2);
    expect(first).toEqual({ storedBefore: [], write: 'new_rows' });
    // The same rows again: known, so upserted.
    const second = await repo.insertBatch([event(a.id, '2026-11-15T08')], 2);
    expect(second.write).toBe('one_statement');
    expect(await hourly(a.id)).toEqual([
      { hour: '2026-11-15T08:00:00.000Z', fn: 'fn-a', shard: 2, requests: '2', mbMs: String(2 * 11 * 256) },
      { hour: '2026-11-15T09:00:00.000Z', fn: 'fn-a', shard: 2, requests: '1', mbMs: String(11 * 256) },
    ]);
  });

  it('are written again with upserts when another api (or this one before a restart) wrote one of them', async () => {
    const a = await newTenant(t.app);
    const before = createUsageRepository(t.db.db);
    await before.ensurePartitions([0]);
    await before.insertBatch([event(a.id, '2026-11-15T08')], 5);
    // A second api process, knowing nothing: one of its rows exists, the other is new.
    const other = createUsageRepository(t.db.db);
    const batch = [event(a.id, '2026-11-15T08'), event(a.id, '2026-11-15T10')];
    const r = await other.insertBatch(batch, 5);
    expect(r).toEqual({ storedBefore: [], write: 'new_rows_retried' });
    expect(await hourly(a.id)).toEqual([
      { hour: '2026-11-15T08:00:00.000Z', fn: 'fn-a', shard: 5, requests: '2', mbMs: String(2 * 11 * 256) },
      { hour: '2026-11-15T10:00:00.000Z', fn: 'fn-a', shard: 5, requests: '1', mbMs: String(11 * 256) },
    ]);
    const stored = await sql<{ n: number }>`select count(*)::int as n from usage_events where account_id = ${a.id}`.execute(t.db.db);
    expect(stored.rows[0]!.n).toBe(3);
    // Now it knows them.
    expect((await other.insertBatch([event(a.id, '2026-11-15T10')], 5)).write).toBe('one_statement');
  });

  it('are counted once when a replay among them sends the batch the careful way', async () => {
    const a = await newTenant(t.app);
    const repo = createUsageRepository(t.db.db);
    await repo.ensurePartitions([0]);
    const replayed = event(a.id, '2026-11-15T08');
    await repo.insertBatch([replayed], 1);
    // From a fresh api: its row of 11:00 is new, the replay's row (08:00, shard 1) and its event are not.
    const fresh = createUsageRepository(t.db.db);
    const r = await fresh.insertBatch([replayed, event(a.id, '2026-11-15T11')], 1);
    expect(r).toEqual({ storedBefore: [{ accountId: a.id, invocationId: replayed.invocationId }], write: 'claiming' });
    expect(await hourly(a.id)).toEqual([
      { hour: '2026-11-15T08:00:00.000Z', fn: 'fn-a', shard: 1, requests: '1', mbMs: String(11 * 256) },
      { hour: '2026-11-15T11:00:00.000Z', fn: 'fn-a', shard: 1, requests: '1', mbMs: String(11 * 256) },
    ]);
  });

  it('sum exactly when apis that know nothing write the same new rows at once', async () => {
    const a = await newTenant(t.app);
    const setup = createUsageRepository(t.db.db);
    await setup.ensurePartitions([0]);
    const hours = ['2026-11-14T01', '2026-11-14T02', '2026-11-14T03'];
    const batches = Array.from({ length: 6 }, () => hours.flatMap((h) => [event(a.id, h, 'fn-x'), event(a.id, h, 'fn-y')]));
    const results = await Promise.all(batches.map((b) => createUsageRepository(t.db.db).insertBatch(b, 0)));
    // At least one batch found the rows new; the others either waited and were written again, or came after.
    expect(results.map((r) => r.write)).toContain('new_rows');
    expect(results.every((r) => r.storedBefore.length === 0)).toBe(true);
    const rows = await hourly(a.id);
    expect(rows).toHaveLength(6);
    expect(rows.every((r) => r.requests === '6' && r.mbMs === String(6 * 11 * 256))).toBe(true);
  });
});

describe('KnownHourlyRows', () => {
  it('remembers the rows it was given, per shard, forgetting the older half past its limit', () => {
    const account = randomUUID();
    const rows = (hours: string[]) => rollupsOf(hours.map((h) => event(account, h))).hourlyKeys;
    const hour = (n: number) => `2026-11-15T${String(n).padStart(2, '0')}`;
    const known = new KnownHourlyRows(4);
    expect(known.noneOf(rows([hour(1)]), 0)).toBe(true);
    known.add(rows([hour(1), hour(2)]), 0);
    expect(known.noneOf(rows([hour(1)]), 0)).toBe(false);
    expect(known.noneOf(rows([hour(1)]), 1)).toBe(true);
    expect(known.noneOf(rows([hour(3), hour(2)]), 0)).toBe(false);
    expect(known.noneOf(rows([hour(3), hour(4)]), 0)).toBe(true);
    known.add(rows([hour(3)]), 0);
    expect(known.size).toBe(3);
    // Full: the newer half becomes the older, and hours 1 and 2 are forgotten.
    known.add(rows([hour(4)]), 0);
    expect(known.noneOf(rows([hour(1)]), 0)).toBe(true);
    expect(known.noneOf(rows([hour(2)]), 0)).toBe(true);
    expect(known.noneOf(rows([hour(3)]), 0)).toBe(false);
    expect(known.noneOf(rows([hour(4)]), 0)).toBe(false);
    // A long stream of new rows never holds more than the limit.
    known.add(rows(Array.from({ length: 24 }, (_, i) => hour(i))), 7);
    expect(known.size).toBeLessThanOrEqual(4);
  });
});
