import { isUuid } from '../../contracts/usage.js';
import { sql, type ColumnType, type Generated, type Transaction } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import type { PeriodUsage } from '../invoices/invoices.repository.js';

type Numeric = ColumnType<string, string, string>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type Basis = 'actual' | 'forecast';

export interface BudgetsTable {
  id: Generated<string>;
  account_id: string;
  amount: Numeric;
  thresholds: number[];
  basis: Basis;
  function_id: string | null;
  webhook_url: string | null;
  hard_cap: boolean;
  secret: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: Timestamp | null;
}

export interface BudgetStatesTable {
  account_id: string;
  budget_id: string;
  period: string;
  function_id: string | null;
  actual: Numeric;
  forecast: Numeric;
  evaluated_at: Timestamp;
}

/** This module's tables, added to the shared schema with `withTables` (a type alias: Kysely wants an index-compatible map). */
export type BudgetTables = {
  budgets: BudgetsTable;
  budget_states: BudgetStatesTable;
  budget_evaluation_ticks: { tick: Timestamp };
};

export type Conn = Db | Transaction<Database>;

export interface Budget {
  id: string;
  accountId: string;
  amount: string;
  thresholds: number[];
  basis: Basis;
  functionId: string | null;
  webhookUrl: string | null;
  hardCap: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** `secretSealed`: the webhook signing secret, sealed to the budget's id (SIGNING_SECRET_CONTEXT.budget), which the caller therefore makes. */
export type NewBudget = Omit<Budget, 'createdAt' | 'updatedAt'> & { secretSealed: string };

export type BudgetChanges = Partial<Pick<Budget, 'amount' | 'thresholds' | 'basis' | 'functionId' | 'webhookUrl' | 'hardCap'>>;

/** One account-month of usage of one function, in the shape the invoices' pricing reads. */
export type FunctionUsage = PeriodUsage;

export interface BudgetState {
  accountId: string;
  budgetId: string;
  period: string; // YYYY-MM-01
  functionId: string | null;
  actual: string;
  forecast: string;
  evaluatedAt: Date;
}

export interface CappedBudget {
  budgetId: string;
  accountId: string;
  functionId: string | null;
  amount: string;
  actual: string;
}

const columns = [
  'id',
  'account_id',
  'amount',
  'thresholds',
  'basis',
  'function_id',
  'webhook_url',
  'hard_cap',
  'created_at',
  'updated_at',
] as const;

function toBudget(r: {
  id: string;
  account_id: string;
  amount: string;
  thresholds: number[];
  basis: Basis;
  function_id: string | null;
  webhook_url: string | null;
  hard_cap: boolean;
  created_at: Date;
  updated_at: Date;
}): Budget {
  return {
    id: r.id,
    accountId: r.account_id,
    amount: r.amount,
    thresholds: r.thresholds,
    basis: r.basis,
    functionId: r.function_id,
    webhookUrl: r.webhook_url,
    hardCap: r.hard_cap,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function createBudgetsRepository(db: Db) {
  const t = (conn: Conn) => conn.withTables<BudgetTables>();

  return {
    async insert(tx: Transaction<Database>, b: NewBudget, at: Date): Promise<Budget> {
      const row = await t(tx)
        .insertInto('budgets')
        .values({
          id: b.id,
          account_id: b.accountId,
          amount: b.amount,
          thresholds: b.thresholds,
          basis: b.basis,
          function_id: b.functionId,
          webhook_url: b.webhookUrl,
          hard_cap: b.hardCap,
          secret: b.secretSealed,
          created_at: at,
          updated_at: at,
        })
        .returning(columns)
        .executeTakeFirstOrThrow();
      return toBudget(row);
    },

    /** A live (not deleted) budget; a malformed id is simply not found. */
    async find(id: string): Promise<Budget | null> {
      if (!isUuid(id)) return null;
      const row = await t(db).selectFrom('budgets').select(columns).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
      return row ? toBudget(row) : null;
    },

    async list(accountId: string | null, limit: number): Promise<Budget[]> {
      let q = t(db).selectFrom('budgets').select(columns).where('deleted_at', 'is', null).orderBy('created_at').orderBy('id').limit(limit);
      if (accountId) q = q.where('account_id', '=', accountId);
      return (await q.execute()).map(toBudget);
    },

    /**
     * The account's live budgets, counted under a lock of the account's budget list held to the end of `tx`: two
     * creations at once count one after the other, so the bound on budgets per account holds whatever the concurrency.
     */
    async countLiveLocked(tx: Transaction<Database>, accountId: string): Promise<number> {
      await sql`select pg_advisory_xact_lock(hashtextextended(${`budgets/${accountId}`}, 0))`.execute(tx);
      const r = await t(tx)
        .selectFrom('budgets')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('account_id', '=', accountId)
        .where('deleted_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    /** null if the budget was deleted meanwhile. */
    async update(tx: Transaction<Database>, id: string, c: BudgetChanges, at: Date): Promise<Budget | null> {
      const row = await t(tx)
        .updateTable('budgets')
        .set({
          ...(c.amount !== undefined ? { amount: c.amount } : {}),
          ...(c.thresholds !== undefined ? { thresholds: c.thresholds } : {}),
          ...(c.basis !== undefined ? { basis: c.basis } : {}),
          ...(c.functionId !== undefined ? { function_id: c.functionId } : {}),
          ...(c.webhookUrl !== undefined ? { webhook_url: c.webhookUrl } : {}),
          ...(c.hardCap !== undefined ? { hard_cap: c.hardCap } : {}),
          updated_at: at,
        })
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .returning(columns)
        .executeTakeFirst();
      return row ? toBudget(row) : null;
    },

    async softDelete(tx: Transaction<Database>, id: string, at: Date): Promise<void> {
      await t(tx).updateTable('budgets').set({ deleted_at: at, updated_at: at }).where('id', '=', id).execute();
    },

    /** The webhook target of a budget (deleted ones included: their alerts still exist). */
    async webhookOf(id: string): Promise<{ url: string | null; deleted: boolean } | null> {
      const row = await t(db).selectFrom('budgets').select(['webhook_url', 'deleted_at']).where('id', '=', id).executeTakeFirst();
      return row ? { url: row.webhook_url, deleted: row.deleted_at !== null } : null;
    },

    /** Live budgets of these accounts, with each account's free-tier setting (the budget prices like the invoice). */
    async liveBudgetsOf(accountIds: string[]): Promise<{ budget: Budget; freeTier: boolean }[]> {
      if (accountIds.length === 0) return [];
      const rows = await t(db)
        .selectFrom('budgets as b')
        .innerJoin('accounts as a', 'a.id', 'b.account_id')
        .select(columns.map((c) => `b.${c}` as const))
        .select('a.free_tier')
        .where('b.account_id', 'in', accountIds)
        .where('b.deleted_at', 'is', null)
        .orderBy('b.account_id')
        .orderBy('b.id')
        .execute();
      return rows.map((r) => ({ budget: toBudget(r), freeTier: r.free_tier }));
    },

    /** Accounts that have live budgets, in id order, a page at a time (the minute job walks them all). */
    async accountsWithBudgets(afterId: string | null, limit: number): Promise<string[]> {
      let q = t(db)
        .selectFrom('budgets')
        .select('account_id')
        .distinct()
        .where('deleted_at', 'is', null)
        .orderBy('account_id')
        .limit(limit);
      if (afterId) q = q.where('account_id', '>', afterId);
      return (await q.execute()).map((r) => r.account_id);
    },

    /** Month-to-date usage from the hourly rollups, per account and function. */
    async usageByFunction(accountIds: string[], from: Date, to: Date): Promise<Map<string, Map<string, FunctionUsage>>> {
      const out = new Map<string, Map<string, FunctionUsage>>();
      if (accountIds.length === 0) return out;
      const { rows } = await sql<{
        account_id: string;
        function_id: string;
        requests: string;
        x86: string;
        arm: string;
        x86_init: string;
        arm_init: string;
        ephemeral: string;
        ephemeral_init: string;
      }>`
        select account_id, function_id,
               sum(requests)::text as requests,
               coalesce(sum(mb_ms) filter (where architecture = 'x86_64'), 0)::text as x86,
               coalesce(sum(mb_ms) filter (where architecture = 'arm64'), 0)::text as arm,
               coalesce(sum(init_mb_ms) filter (where architecture = 'x86_64'), 0)::text as x86_init,
               coalesce(sum(init_mb_ms) filter (where architecture = 'arm64'), 0)::text as arm_init,
               sum(ephemeral_mb_ms)::text as ephemeral,
               sum(init_ephemeral_mb_ms)::text as ephemeral_init
        from usage_hourly
        where account_id = any(${accountIds}::uuid[]) and hour >= ${from} and hour < ${to}
        group by account_id, function_id`.execute(db);
      for (const r of rows) {
        const byFunction = out.get(r.account_id) ?? new Map<string, FunctionUsage>();
        byFunction.set(r.function_id, {
          requests: BigInt(r.requests),
          x86MbMs: BigInt(r.x86),
          armMbMs: BigInt(r.arm),
          x86InitMbMs: BigInt(r.x86_init),
          armInitMbMs: BigInt(r.arm_init),
          ephemeralMbMs: BigInt(r.ephemeral),
          ephemeralInitMbMs: BigInt(r.ephemeral_init),
        });
        out.set(r.account_id, byFunction);
      }
      return out;
    },

    /**
     * Records the spend just measured. Evaluations may finish out of order, so a measurement replaces
     * the stored one only if it was taken no earlier (or measured with another function filter, after
     * a change of the budget). Not by size: within a month usage only grows, but its price can fall
     * (the free tier granted mid-month), and a hard cap must then lift.
     */
    async saveStates(tx: Transaction<Database>, states: BudgetState[]): Promise<void> {
      if (states.length === 0) return;
      const col = <K extends keyof BudgetState>(k: K) => states.map((s) => s[k]);
      await sql`
        insert into budget_states (account_id, budget_id, period, function_id, actual, forecast, evaluated_at)
        select * from unnest(${col('accountId')}::uuid[], ${col('budgetId')}::uuid[], ${col('period')}::date[], ${col('functionId')}::text[],
                             ${col('actual')}::numeric[], ${col('forecast')}::numeric[], ${col('evaluatedAt')}::timestamptz[])
        order by 1, 2
        on conflict (account_id, budget_id) do update
          set period = excluded.period, function_id = excluded.function_id, actual = excluded.actual,
              forecast = excluded.forecast, evaluated_at = excluded.evaluated_at
          where excluded.evaluated_at >= budget_states.evaluated_at
             or excluded.function_id is distinct from budget_states.function_id`.execute(tx);
    },

    /** Hard-capped budgets whose measured spend this month reached their (current) amount. */
    async cappedBudgets(period: string): Promise<CappedBudget[]> {
      const rows = await t(db)
        .selectFrom('budgets as b')
        .innerJoin('budget_states as s', (j) => j.onRef('s.account_id', '=', 'b.account_id').onRef('s.budget_id', '=', 'b.id'))
        .select(['b.id', 'b.account_id', 'b.function_id', 'b.amount', 's.actual'])
        .where('b.deleted_at', 'is', null)
        .where('b.hard_cap', '=', true)
        .where('s.period', '=', period)
        .where(sql<boolean>`s.function_id is not distinct from b.function_id and s.actual >= b.amount`)
        .execute();
      return rows.map((r) => ({ budgetId: r.id, accountId: r.account_id, functionId: r.function_id, amount: r.amount, actual: r.actual }));
    },

    /** True for the one replica whose insert of this minute wins; old ticks are pruned on the way. */
    async claimTick(minute: Date): Promise<boolean> {
      const won = await t(db)
        .insertInto('budget_evaluation_ticks')
        .values({ tick: minute })
        .onConflict((oc) => oc.column('tick').doNothing())
        .returning('tick')
        .executeTakeFirst();
      if (won)
        await t(db)
          .deleteFrom('budget_evaluation_ticks')
          .where('tick', '<', new Date(minute.getTime() - 86400_000))
          .execute();
      return won !== undefined;
    },
  };
}

export type BudgetsRepository = ReturnType<typeof createBudgetsRepository>;
