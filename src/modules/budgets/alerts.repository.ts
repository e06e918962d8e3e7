import { sql, type ColumnType, type Transaction } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import { isUuid } from '../../contracts/usage.js';
import type { Basis, BudgetTables, Conn } from './budgets.repository.js';

type Numeric = ColumnType<string, string, string>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'cancelled';

type AlertTables = BudgetTables & {
  budget_alerts: {
    id: string;
    account_id: string;
    budget_id: string;
    period: string;
    threshold: number;
    basis: Basis;
    spend: Numeric;
    actual: Numeric;
    forecast: Numeric;
    amount: Numeric;
    percent: Numeric;
    created_at: Timestamp;
  };
  budget_alert_outbox: {
    alert_id: string;
    account_id: string;
    body: string;
    status: DeliveryStatus;
    attempts: ColumnType<number, number | undefined, number>;
    next_attempt_at: Timestamp;
    give_up_at: Timestamp;
    delivered_at: Timestamp | null;
    last_error: string | null;
  };
  budget_alert_attempts: {
    id: ColumnType<string, never, never>;
    account_id: string;
    alert_id: string;
    at: Timestamp;
    url: string;
    status_code: number | null;
    error: string | null;
    duration_ms: number;
  };
};

export interface Alert {
  id: string;
  accountId: string;
  budgetId: string;
  period: string; // YYYY-MM-01
  threshold: number;
  basis: Basis;
  spend: string;
  actual: string;
  forecast: string;
  amount: string;
  percent: string;
  createdAt: Date;
}

export interface Delivery {
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  giveUpAt: Date;
  deliveredAt: Date | null;
  lastError: string | null;
}

export interface Attempt {
  at: Date;
  url: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** A due outbox row, claimed by one worker, with where and how to send it. */
export interface ClaimedDelivery {
  alertId: string;
  accountId: string;
  body: string;
  url: string | null;
  budgetId: string;
  /** The budget's signing secret as stored: sealed (SIGNING_SECRET_CONTEXT.budget), or plain if an earlier release wrote it. */
  secretStored: string;
  budgetDeleted: boolean;
  attempt: number;
}

/** How long after the first attempt a delivery is retried before it is marked failed. */
export const RETRY_WINDOW = '3 days';

interface AlertRow {
  id: string;
  account_id: string;
  budget_id: string;
  period: string;
  threshold: number;
  basis: Basis;
  spend: string;
  actual: string;
  forecast: string;
  amount: string;
  percent: string;
  created_at: Date;
}

const toAlert = (r: AlertRow): Alert => ({
  id: r.id,
  accountId: r.account_id,
  budgetId: r.budget_id,
  period: r.period,
  threshold: r.threshold,
  basis: r.basis,
  spend: r.spend,
  actual: r.actual,
  forecast: r.forecast,
  amount: r.amount,
  percent: r.percent,
  createdAt: r.created_at,
});

export function createAlertsRepository(db: Db) {
  const t = (conn: Conn) => conn.withTables<AlertTables>();

  return {
    /**
     * Inserts the alerts not recorded yet; the unique (account, budget, month, threshold, basis, amount) key drops the
     * rest (migrations/0107_budget_alerts_per_amount.sql: a budget changed in a month alerts afresh for its new amount).
     */
    async insertAlerts(tx: Transaction<Database>, alerts: Alert[]): Promise<Set<string>> {
      if (alerts.length === 0) return new Set();
      const rows = await t(tx)
        .insertInto('budget_alerts')
        .values(
          alerts.map((a) => ({
            id: a.id,
            account_id: a.accountId,
            budget_id: a.budgetId,
            period: a.period,
            threshold: a.threshold,
            basis: a.basis,
            spend: a.spend,
            actual: a.actual,
            forecast: a.forecast,
            amount: a.amount,
            percent: a.percent,
            created_at: a.createdAt,
          })),
        )
        .onConflict((oc) => oc.columns(['account_id', 'budget_id', 'period', 'threshold', 'basis', 'amount']).doNothing())
        .returning('id')
        .execute();
      return new Set(rows.map((r) => r.id));
    },

    async enqueue(tx: Transaction<Database>, rows: { alertId: string; accountId: string; body: string }[], now: Date): Promise<void> {
      if (rows.length === 0) return;
      await t(tx)
        .insertInto('budget_alert_outbox')
        .values(
          rows.map((r) => ({
            alert_id: r.alertId,
            account_id: r.accountId,
            body: r.body,
            status: 'pending' as const,
            next_attempt_at: now,
            give_up_at: sql<Date>`${now}::timestamptz + ${RETRY_WINDOW}::interval`,
          })),
        )
        .execute();
    },

    async list(q: {
      accountId: string | null;
      budgetId: string | null;
      period: string | null;
      limit: number;
    }): Promise<(Alert & { delivery: Delivery | null })[]> {
      let query = t(db)
        .selectFrom('budget_alerts as a')
        .leftJoin('budget_alert_outbox as o', 'o.alert_id', 'a.id')
        .selectAll('a')
        .select(['o.status', 'o.attempts', 'o.next_attempt_at', 'o.give_up_at', 'o.delivered_at', 'o.last_error'])
        .orderBy('a.created_at', 'desc')
        .orderBy('a.id')
        .limit(q.limit);
      if (q.accountId) query = query.where('a.account_id', '=', q.accountId);
      if (q.budgetId) query = query.where('a.budget_id', '=', q.budgetId);
      if (q.period) query = query.where('a.period', '=', q.period);
      return (await query.execute()).map((r) => ({
        ...toAlert(r),
        delivery:
          r.status === null
            ? null
            : {
                status: r.status,
                attempts: r.attempts!,
                nextAttemptAt: r.next_attempt_at!,
                giveUpAt: r.give_up_at!,
                deliveredAt: r.delivered_at,
                lastError: r.last_error,
              },
      }));
    },

    /** An alert by id; a malformed id is simply not found. */
    async find(id: string): Promise<Alert | null> {
      if (!isUuid(id)) return null;
      const row = await t(db).selectFrom('budget_alerts').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toAlert(row) : null;
    },

    async deliveryOf(alertId: string): Promise<Delivery | null> {
      const r = await t(db).selectFrom('budget_alert_outbox').selectAll().where('alert_id', '=', alertId).executeTakeFirst();
      return r
        ? {
            status: r.status,
            attempts: r.attempts,
            nextAttemptAt: r.next_attempt_at,
            giveUpAt: r.give_up_at,
            deliveredAt: r.delivered_at,
            lastError: r.last_error,
          }
        : null;
    },

    async attemptsOf(alertId: string): Promise<Attempt[]> {
      const rows = await t(db)
        .selectFrom('budget_alert_attempts')
        .select(['at', 'url', 'status_code', 'error', 'duration_ms'])
        .where('alert_id', '=', alertId)
        .orderBy('id')
        .execute();
      return rows.map((r) => ({ at: r.at, url: r.url, statusCode: r.status_code, error: r.error, durationMs: r.duration_ms }));
    },

    /**
     * Claims due deliveries (or one given alert's, if due) for this worker. The same statement
     * counts the attempt and pushes next_attempt_at out by the backoff, 30 s doubling per attempt
     * up to 6 h: that is the lease, and the next try if this one fails or the worker dies.
     */
    async claimDue(now: Date, limit: number, alertId: string | null = null): Promise<ClaimedDelivery[]> {
      const { rows } = await sql<{
        alert_id: string;
        account_id: string;
        body: string;
        attempts: number;
        webhook_url: string | null;
        budget_id: string;
        secret: string;
        deleted: boolean;
      }>`
        with due as (
          select alert_id from budget_alert_outbox
          where status = 'pending' and next_attempt_at <= ${now} ${alertId ? sql`and alert_id = ${alertId}` : sql``}
          order by next_attempt_at
          limit ${limit}
          for update skip locked
        )
        update budget_alert_outbox o
        set attempts = o.attempts + 1,
            next_attempt_at = ${now}::timestamptz + least(interval '6 hours', interval '30 seconds' * power(2, o.attempts))
        from due, budget_alerts a, budgets b
        where o.alert_id = due.alert_id and a.id = o.alert_id and b.id = a.budget_id
        returning o.alert_id, o.account_id, o.body, o.attempts, b.webhook_url, b.id as budget_id, b.secret, b.deleted_at is not null as deleted`.execute(
        db,
      );
      return rows.map((r) => ({
        alertId: r.alert_id,
        accountId: r.account_id,
        body: r.body,
        url: r.webhook_url,
        budgetId: r.budget_id,
        secretStored: r.secret,
        budgetDeleted: r.deleted,
        attempt: r.attempts,
      }));
    },

    /**
     * Logs one attempt and settles the row: delivered on a 2xx; otherwise it stays pending for the
     * retry the claim scheduled, unless that retry falls past give_up_at: then it has failed.
     */
    async recordAttempt(
      tx: Transaction<Database>,
      alertId: string,
      accountId: string,
      attempt: Attempt,
      delivered: boolean,
    ): Promise<DeliveryStatus> {
      await t(tx)
        .insertInto('budget_alert_attempts')
        .values({
          account_id: accountId,
          alert_id: alertId,
          at: attempt.at,
          url: attempt.url,
          status_code: attempt.statusCode,
          error: attempt.error,
          duration_ms: attempt.durationMs,
        })
        .execute();
      const row = await t(tx)
        .updateTable('budget_alert_outbox')
        .set({
          status: delivered ? 'delivered' : sql<DeliveryStatus>`case when next_attempt_at > give_up_at then 'failed' else 'pending' end`,
          delivered_at: delivered ? attempt.at : null,
          last_error: delivered ? null : (attempt.error ?? `HTTP ${attempt.statusCode}`),
        })
        .where('alert_id', '=', alertId)
        .returning('status')
        .executeTakeFirstOrThrow();
      return row.status;
    },

    async settle(alertId: string, status: DeliveryStatus, lastError: string): Promise<void> {
      await t(db).updateTable('budget_alert_outbox').set({ status, last_error: lastError }).where('alert_id', '=', alertId).execute();
    },

    /**
     * A redelivery: a fresh round of attempts starting now, for an alert with or without an outbox row.
     * False when the alert is gone (the record retention removed it since it was read).
     */
    async requeue(alertId: string, accountId: string, body: string, now: Date): Promise<boolean> {
      try {
        await t(db)
          .insertInto('budget_alert_outbox')
          .values({
            alert_id: alertId,
            account_id: accountId,
            body,
            status: 'pending',
            next_attempt_at: now,
            give_up_at: sql<Date>`${now}::timestamptz + ${RETRY_WINDOW}::interval`,
          })
          .onConflict((oc) =>
            oc.column('alert_id').doUpdateSet({
              status: 'pending',
              attempts: 0,
              next_attempt_at: now,
              give_up_at: sql<Date>`${now}::timestamptz + ${RETRY_WINDOW}::interval`,
              delivered_at: null,
              last_error: null,
            }),
          )
          .execute();
        return true;
      } catch (err) {
        if ((err as { code?: unknown }).code === '23503') return false; // foreign_key_violation: no such alert any more
        throw err;
      }
    },

    /** Pending deliveries of a deleted budget are not sent any more. */
    async cancelPending(tx: Transaction<Database>, budgetId: string): Promise<void> {
      await sql`
        update budget_alert_outbox o set status = 'cancelled', last_error = 'the budget was deleted'
        from budget_alerts a
        where a.id = o.alert_id and a.budget_id = ${budgetId} and o.status = 'pending'`.execute(tx);
    },
  };
}

export type AlertsRepository = ReturnType<typeof createAlertsRepository>;
