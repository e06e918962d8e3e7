import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Database } from '../../db/schema.js';

export interface Schedule {
  accountId: string;
  id: string;
  name: string;
  expression: string;
  timezone: string;
  functionName: string;
  /** The alias or published version number the ticks run; null: $LATEST. */
  qualifier: string | null;
  input: string | null;
  enabled: boolean;
  flexibleWindowMin: number | null;
  anchorAt: Date;
  nextFireAt: Date | null;
  nextRunAt: Date | null;
  lastFiredAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export type ScheduleWrite = Pick<
  Schedule,
  | 'expression'
  | 'timezone'
  | 'functionName'
  | 'qualifier'
  | 'input'
  | 'enabled'
  | 'flexibleWindowMin'
  | 'anchorAt'
  | 'nextFireAt'
  | 'nextRunAt'
>;

// biome-ignore lint/suspicious/noExplicitAny: rows of the hand-written SQL below, mapped by toSchedule
type Row = Record<string, any>;

const toSchedule = (r: Row): Schedule => ({
  accountId: r.account_id,
  id: r.id,
  name: r.name,
  expression: r.expression,
  timezone: r.timezone,
  functionName: r.function_name,
  qualifier: r.qualifier,
  input: r.input,
  enabled: r.enabled,
  flexibleWindowMin: r.flexible_window_min,
  anchorAt: r.anchor_at,
  nextFireAt: r.next_fire_at,
  nextRunAt: r.next_run_at,
  lastFiredAt: r.last_fired_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function createSchedulesRepository(db: Db) {
  return {
    transaction: <T>(fn: (tx: Transaction<Database>) => Promise<T>): Promise<T> => db.transaction().execute(fn),

    /** The new schedule, or null when the name is taken in the account. */
    async insert(accountId: string, name: string, w: ScheduleWrite, now: Date): Promise<Schedule | null> {
      const { rows } = await sql<Row>`
        insert into schedules (account_id, name, expression, timezone, function_name, qualifier, input, enabled, flexible_window_min,
                               anchor_at, next_fire_at, next_run_at, created_at, updated_at)
        values (${accountId}, ${name}, ${w.expression}, ${w.timezone}, ${w.functionName}, ${w.qualifier}, ${w.input}, ${w.enabled},
                ${w.flexibleWindowMin}, ${w.anchorAt}, ${w.nextFireAt}, ${w.nextRunAt}, ${now}, ${now})
        on conflict (account_id, name) do nothing
        returning *`.execute(db);
      return rows[0] ? toSchedule(rows[0]) : null;
    },

    async update(accountId: string, name: string, w: ScheduleWrite, now: Date): Promise<Schedule | null> {
      const { rows } = await sql<Row>`
        update schedules set expression = ${w.expression}, timezone = ${w.timezone}, function_name = ${w.functionName},
               qualifier = ${w.qualifier}, input = ${w.input}, enabled = ${w.enabled}, flexible_window_min = ${w.flexibleWindowMin}, anchor_at = ${w.anchorAt},
               next_fire_at = ${w.nextFireAt}, next_run_at = ${w.nextRunAt}, updated_at = ${now}
         where account_id = ${accountId} and name = ${name}
        returning *`.execute(db);
      return rows[0] ? toSchedule(rows[0]) : null;
    },

    async find(accountId: string, name: string): Promise<Schedule | null> {
      const { rows } = await sql<Row>`select * from schedules where account_id = ${accountId} and name = ${name}`.execute(db);
      return rows[0] ? toSchedule(rows[0]) : null;
    },

    async list(accountId: string, limit: number, after: string | null): Promise<Schedule[]> {
      const { rows } = await sql<Row>`
        select * from schedules where account_id = ${accountId} ${after ? sql`and name > ${after}` : sql``}
         order by name limit ${limit}`.execute(db);
      return rows.map(toSchedule);
    },

    async remove(accountId: string, name: string): Promise<boolean> {
      const r = await sql`delete from schedules where account_id = ${accountId} and name = ${name}`.execute(db);
      return Number(r.numAffectedRows ?? 0) > 0;
    },

    /** Due enabled schedules, locked for this transaction (SKIP LOCKED: another replica takes the others). */
    async claimDue(tx: Transaction<Database>, now: Date, limit: number): Promise<Schedule[]> {
      const { rows } = await sql<Row>`
        select * from schedules where enabled and next_run_at <= ${now}
         order by next_run_at limit ${limit}
         for update skip locked`.execute(tx);
      return rows.map(toSchedule);
    },

    /** Records ticks as fired; a tick recorded before (by any replica, at any time) is not: answers the new ones. */
    async recordTicks(
      tx: Transaction<Database>,
      s: Pick<Schedule, 'accountId' | 'id'>,
      ticks: { tick: Date; requestId: string }[],
      now: Date,
    ): Promise<Set<number>> {
      if (ticks.length === 0) return new Set();
      const { rows } = await sql<{ tick: Date }>`
        insert into schedule_ticks (account_id, schedule_id, tick, fired_at, request_id)
        select ${s.accountId}, ${s.id}, t.tick, ${now}, t.request_id
          from unnest(${ticks.map((t) => t.tick)}::timestamptz[], ${ticks.map((t) => t.requestId)}::uuid[]) as t(tick, request_id)
        on conflict do nothing
        returning tick`.execute(tx);
      return new Set(rows.map((r) => r.tick.getTime()));
    },

    async advance(
      tx: Transaction<Database>,
      s: Pick<Schedule, 'accountId' | 'id'>,
      next: { fireAt: Date | null; runAt: Date | null; firedAt: Date | null },
    ): Promise<void> {
      await sql`
        update schedules set next_fire_at = ${next.fireAt}, next_run_at = ${next.runAt},
               last_fired_at = coalesce(${next.firedAt}, last_fired_at)
         where account_id = ${s.accountId} and id = ${s.id}`.execute(tx);
    },

    async ticksOf(accountId: string, scheduleId: string, limit: number): Promise<{ tick: Date; firedAt: Date; requestId: string }[]> {
      const { rows } = await sql<{ tick: Date; fired_at: Date; request_id: string }>`
        select tick, fired_at, request_id from schedule_ticks where account_id = ${accountId} and schedule_id = ${scheduleId}
         order by tick desc limit ${limit}`.execute(db);
      return rows.map((r) => ({ tick: r.tick, firedAt: r.fired_at, requestId: r.request_id }));
    },
  };
}

export type SchedulesRepository = ReturnType<typeof createSchedulesRepository>;
