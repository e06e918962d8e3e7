import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { uuid7 } from '../../src/lib/uuid7.js';
import { idMonthOf } from '../../src/modules/usage/usage.service.js';
import { databaseBefore as migratedBefore } from '../helpers/db.js';

/**
 * Migration 0092 moves stored usage from usage_dedup + usage_events (by started_at) into one table
 * by invocation-id month. The test template is migrated from empty, so the move itself is tested
 * here: a database stopped at 0091, given events as the old ingest wrote them, then migrated on.
 */
const made: (() => Promise<void>)[] = [];
/** A database migrated up to (not including) `before`, with the owner's connection; dropped after the file. */
async function databaseBefore(before: string): Promise<{ db: Db }> {
  const d = await migratedBefore(before);
  made.push(d.drop);
  return d;
}

/** Writes events as ingest did before 0092: the id claimed in usage_dedup, the event in its started_at month. */
async function oldIngest(db: Db, events: { account: string; id: string; at: string }[]) {
  for (const e of events) {
    await sql`select usage_ensure_partition(${e.at}::timestamptz)`.execute(db);
    await sql`insert into usage_dedup (account_id, invocation_id, started_at) values (${e.account}, ${e.id}, ${e.at})`.execute(db);
    await sql`
      insert into usage_events (account_id, invocation_id, function_id, architecture, memory_mb, duration_ms, billed_ms, started_at, status)
      values (${e.account}, ${e.id}, 'fn', 'x86_64', 128, 10.5, 11, ${e.at}, 'success')`.execute(db);
  }
}

afterAll(async () => {
  for (const drop of made) await drop();
});

describe('migration 0092: usage events by invocation-id month', () => {
  it('moves every stored event, each into its id month (v4 ids into their own partition), and the one key still refuses a replay', async () => {
    const { db } = await databaseBefore('0092');
    const account = randomUUID();
    const events = [
      { account, id: uuid7(Date.parse('2026-10-31T23:59:59.999Z')), at: '2026-11-01T00:00:00.100Z' }, // made in October, started in November
      { account, id: uuid7(Date.parse('2026-11-15T10:00:00Z')), at: '2026-11-15T10:00:00Z' },
      { account, id: randomUUID(), at: '2026-11-15T10:00:00Z' },
    ];
    await oldIngest(db, events);
    await migrateToLatest(db);
    const { rows } = await sql<{ invocation_id: string; id_month: number; part: string; started_at: Date; billed_ms: string }>`
      select invocation_id, id_month, tableoid::regclass::text as part, started_at, billed_ms::text from usage_events`.execute(db);
    expect(Object.fromEntries(rows.map((r) => [r.invocation_id, [r.id_month, r.part, r.started_at.toISOString(), r.billed_ms]]))).toEqual({
      [events[0]!.id]: [2026 * 12 + 9, 'usage_events_id_2026_10', '2026-11-01T00:00:00.100Z', '11'],
      [events[1]!.id]: [2026 * 12 + 10, 'usage_events_id_2026_11', '2026-11-15T10:00:00.000Z', '11'],
      [events[2]!.id]: [0, 'usage_events_other', '2026-11-15T10:00:00.000Z', '11'],
    });
    // The api and Postgres place ids alike.
    for (const r of rows) expect(idMonthOf(r.invocation_id)).toBe(r.id_month);
    expect((await sql<{ t: string | null }>`select to_regclass('usage_dedup')::text as t`.execute(db)).rows[0]!.t).toBeNull();
    // The same id again, whatever month it claims, is refused by the primary key or the check.
    await expect(
      sql`insert into usage_events (account_id, invocation_id, id_month, function_id, architecture, memory_mb, duration_ms, billed_ms, started_at, status)
          values (${account}, ${events[1]!.id}, ${2026 * 12 + 10}, 'fn', 'x86_64', 128, 1, 1, now(), 'success')`.execute(db),
    ).rejects.toThrow(/duplicate key/);
    await expect(
      sql`insert into usage_events (account_id, invocation_id, id_month, function_id, architecture, memory_mb, duration_ms, billed_ms, started_at, status)
          values (${account}, ${events[1]!.id}, 0, 'fn', 'x86_64', 128, 1, 1, now(), 'success')`.execute(db),
    ).rejects.toThrow(/check constraint/);
    await db.destroy();
  });

  it('stops, and says why, when a claimed id has no stored event (its month detached by hand), rather than forget the claim', async () => {
    const { db } = await databaseBefore('0092');
    const account = randomUUID();
    await oldIngest(db, [{ account, id: uuid7(Date.parse('2026-11-15T10:00:00Z')), at: '2026-11-15T10:00:00Z' }]);
    await sql`alter table usage_events detach partition usage_events_2026_11`.execute(db);
    await expect(migrateToLatest(db)).rejects.toThrow(/1 claimed invocation ids have no stored event/);
    // Nothing of 0092 stays: the old tables are as they were.
    expect((await sql<{ n: string }>`select count(*)::text as n from usage_dedup`.execute(db)).rows[0]!.n).toBe('1');
    await db.destroy();
  });

  it('places every id in the same month in Postgres as in the api: each month boundary of 2000-2099, its edges, and other ids', async () => {
    const { db } = await databaseBefore('9999');
    const instants: number[] = [Date.UTC(1999, 11, 31, 23, 59, 59, 999), Date.UTC(2100, 0, 1), 0, 2 ** 48 - 1];
    for (let m = 0; m < 1200; m++) {
      const start = Date.UTC(2000, m, 1);
      instants.push(start - 1, start, start + 1, start + 15 * 86400_000 + 12345);
    }
    const ids = [...instants.map((ms) => uuid7(ms)), randomUUID(), randomUUID()];
    const { rows } = await sql<{ id: string; m: number }>`
      select id, usage_id_month(id) as m from unnest(${ids}::uuid[]) as u(id)`.execute(db);
    const mismatches = rows.filter((r) => r.m !== idMonthOf(r.id));
    expect(rows).toHaveLength(ids.length);
    expect(mismatches).toEqual([]);
    expect(idMonthOf(uuid7(Date.UTC(2026, 11, 4)))).toBe(2026 * 12 + 11);
    await db.destroy();
  });
});

/** Inserts one event as the owner would, bypassing the api: what the database alone allows. */
const insertRaw = (db: Db, account: string, id: string, idMonth: number) =>
  sql`insert into usage_events (account_id, invocation_id, id_month, function_id, architecture, memory_mb, duration_ms, billed_ms, started_at, status)
      values (${account}, ${id}, ${idMonth}, 'fn', 'x86_64', 128, 1, 1, now(), 'success')`.execute(db);

describe('migration 0093: each partition checks that its ids belong to it', () => {
  it('adds the check to the partitions there are, refuses every id in a month it was not made in, and new partitions get it too', async () => {
    const { db } = await databaseBefore('0093');
    const account = randomUUID();
    const november = uuid7(Date.parse('2026-11-15T10:00:00Z'));
    await sql`select usage_ensure_id_partition(${2026 * 12 + 10})`.execute(db);
    await insertRaw(db, account, november, 2026 * 12 + 10);
    await insertRaw(db, account, randomUUID(), 0);
    await migrateToLatest(db);

    const checks = await sql<{ part: string }>`
      select c.conrelid::regclass::text as part from pg_constraint c
      where c.conname = 'usage_events_id_range' order by 1`.execute(db);
    expect(checks.rows.map((r) => r.part)).toEqual(['usage_events_id_2026_11', 'usage_events_other']);
    const parent = await sql<{ n: string }>`
      select count(*)::text as n from pg_constraint where conrelid = 'usage_events'::regclass and contype = 'c' and conname = 'usage_events_id_month_check'`.execute(
      db,
    );
    expect(parent.rows[0]!.n).toBe('0');

    // A partition made after the migration carries the check as well.
    for (const m of [2026 * 12 + 9, 2026 * 12 + 11, 2099 * 12 + 11]) await sql`select usage_ensure_id_partition(${m})`.execute(db);
    await sql`select usage_ensure_id_partition(${2100 * 12})`.execute(db); // outside 2000-2099: no partition
    const parts = await sql<{ part: string; checked: boolean }>`
      select c.relname as part, exists (select 1 from pg_constraint k where k.conrelid = c.oid and k.conname = 'usage_events_id_range') as checked
      from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'usage_events'::regclass order by 1`.execute(db);
    expect(parts.rows).toEqual(
      [
        'usage_events_id_2026_10',
        'usage_events_id_2026_11',
        'usage_events_id_2026_12',
        'usage_events_id_2099_12',
        'usage_events_other',
      ].map((part) => ({ part, checked: true })),
    );

    // Accepted exactly where usage_id_month places the id, at the edges of each month.
    const cases: { id: string; month: number }[] = [];
    for (const [start, next] of [
      [Date.UTC(2026, 9, 1), Date.UTC(2026, 10, 1)],
      [Date.UTC(2026, 10, 1), Date.UTC(2026, 11, 1)],
      [Date.UTC(2099, 11, 1), Date.UTC(2100, 0, 1)],
    ] as const) {
      for (const ms of [start, start + 1, next - 1]) cases.push({ id: uuid7(ms), month: idMonthOf(uuid7(ms)) });
    }
    cases.push({ id: uuid7(Date.UTC(2100, 0, 1)), month: 0 }, { id: uuid7(Date.UTC(1999, 11, 31, 23, 59, 59, 999)), month: 0 });
    cases.push({ id: randomUUID(), month: 0 });
    // A version 4 id whose first 48 bits read as November 2026 still belongs in usage_events_other.
    const lookalike = `${november.slice(0, 14)}4${november.slice(15)}`;
    cases.push({ id: lookalike, month: 0 });
    const partitions = [0, 2026 * 12 + 9, 2026 * 12 + 10, 2026 * 12 + 11, 2099 * 12 + 11];
    for (const c of cases) {
      const stored = await sql<{ m: number }>`select usage_id_month(${c.id}::uuid) as m`.execute(db);
      expect(stored.rows[0]!.m, c.id).toBe(c.month);
      for (const m of partitions) {
        if (m === c.month) await insertRaw(db, account, c.id, m);
        else await expect(insertRaw(db, account, c.id, m), `${c.id} in ${m}`).rejects.toThrow(/usage_events_id_range|no partition/);
      }
    }
    // And the one key still refuses a replay.
    await expect(insertRaw(db, account, november, 2026 * 12 + 10)).rejects.toThrow(/duplicate key/);
    await db.destroy();
  });
});
