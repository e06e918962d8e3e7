import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Database, InvoiceStatus } from '../../db/schema.js';

/** One account-month of usage from the rollups: gross MB-ms per architecture and their init share. */
export interface PeriodUsage {
  requests: bigint;
  x86MbMs: bigint;
  armMbMs: bigint;
  x86InitMbMs: bigint;
  armInitMbMs: bigint;
  ephemeralMbMs: bigint;
}

export const NO_USAGE: PeriodUsage = { requests: 0n, x86MbMs: 0n, armMbMs: 0n, x86InitMbMs: 0n, armInitMbMs: 0n, ephemeralMbMs: 0n };

export interface Snapshot {
  accountId: string;
  period: string; // YYYY-MM-01
  requests: bigint;
  x86MbMs: bigint;
  armMbMs: bigint;
  ephemeralMbMs: bigint;
  amount: string;
  priceVersionId: string;
  freeTier: boolean;
}

export interface LineRow {
  kind: 'requests' | 'compute' | 'ephemeral_storage' | 'adjustment';
  architecture: 'x86_64' | 'arm64' | null;
  tier: number | null;
  adjustsPeriod: string | null;
  description: string;
  quantity: string;
  freeQuantity: string;
  billableQuantity: string;
  unitPrice: string;
  amount: string;
}

export interface InvoiceRow {
  id: string;
  accountId: string;
  period: string;
  status: InvoiceStatus;
  currency: string;
  priceVersionId: string;
  freeTier: boolean;
  total: string;
  createdAt: Date;
  updatedAt: Date;
  finalizedAt: Date | null;
  voidedAt: Date | null;
  voidReason: string | null;
}

type Conn = Db | Transaction<Database>;

/** Sums over usage_monthly rows (one per architecture) into one account-month. */
const usageSums = sql`
  coalesce(sum(requests), 0)::text as requests,
  coalesce(sum(mb_ms) filter (where architecture = 'x86_64'), 0)::text as x86,
  coalesce(sum(mb_ms) filter (where architecture = 'arm64'), 0)::text as arm,
  coalesce(sum(init_mb_ms) filter (where architecture = 'x86_64'), 0)::text as x86_init,
  coalesce(sum(init_mb_ms) filter (where architecture = 'arm64'), 0)::text as arm_init,
  coalesce(sum(ephemeral_mb_ms), 0)::text as ephemeral`;

interface UsageSumsRow { requests: string; x86: string; arm: string; x86_init: string; arm_init: string; ephemeral: string }

const toUsage = (r: UsageSumsRow): PeriodUsage => ({
  requests: BigInt(r.requests),
  x86MbMs: BigInt(r.x86),
  armMbMs: BigInt(r.arm),
  x86InitMbMs: BigInt(r.x86_init),
  armInitMbMs: BigInt(r.arm_init),
  ephemeralMbMs: BigInt(r.ephemeral),
});

const invoiceColumns = [
  'id', 'account_id', 'period', 'status', 'currency', 'price_version_id', 'free_tier', 'total',
  'created_at', 'updated_at', 'finalized_at', 'voided_at', 'void_reason',
] as const;

function toInvoice(r: {
  id: string; account_id: string; period: string; status: InvoiceStatus; currency: string; price_version_id: string;
  free_tier: boolean; total: string; created_at: Date; updated_at: Date; finalized_at: Date | null; voided_at: Date | null;
  void_reason: string | null;
}): InvoiceRow {
  return {
    id: r.id, accountId: r.account_id, period: r.period, status: r.status, currency: r.currency,
    priceVersionId: r.price_version_id, freeTier: r.free_tier, total: r.total, createdAt: r.created_at,
    updatedAt: r.updated_at, finalizedAt: r.finalized_at, voidedAt: r.voided_at, voidReason: r.void_reason,
  };
}

export function createInvoicesRepository(db: Db) {
  return {
    /**
     * Accounts to bill for a month, with their free-tier setting, in id order, in pages: those that
     * existed during it, and any with usage up to its end (stamped by the executor's clock, so it may
     * predate the account row by a little), which the month or its late-usage adjustments must bill.
     */
    async accountsForPeriod(end: Date, afterId: string | null, limit: number): Promise<{ id: string; freeTier: boolean }[]> {
      let q = db.selectFrom('accounts').select(['id', 'free_tier'])
        .where((eb) => eb.or([
          eb('created_at', '<', end),
          eb.exists(eb.selectFrom('usage_hourly as h').select(sql.lit(1).as('one')).whereRef('h.account_id', '=', 'accounts.id').where('h.hour', '<', end)),
        ]))
        .orderBy('id').limit(limit);
      if (afterId) q = q.where('id', '>', afterId);
      return (await q.execute()).map((r) => ({ id: r.id, freeTier: r.free_tier }));
    },

    /** One month's usage per account, from the monthly rollups (one row per account and architecture). */
    async usageByAccount(accountIds: string[], period: string): Promise<Map<string, PeriodUsage>> {
      if (accountIds.length === 0) return new Map();
      const { rows } = await sql<UsageSumsRow & { account_id: string }>`
        select account_id, ${usageSums}
        from usage_monthly
        where account_id = any(${accountIds}::uuid[]) and period = ${period}::date
        group by account_id`.execute(db);
      return new Map(rows.map((r) => [r.account_id, toUsage(r)]));
    },

    /**
     * Earlier months whose usage grew after they were billed: the latest finalized snapshot of each
     * (account, month) before `before`, with the month's usage now, where the request count moved
     * (usage is only ever added, so any late event changes it).
     */
    async lateUsage(accountIds: string[], before: string): Promise<{ billed: Snapshot; now: PeriodUsage }[]> {
      if (accountIds.length === 0) return [];
      const { rows } = await sql<UsageSumsRow & {
        account_id: string; period: string; b_requests: string; b_x86: string; b_arm: string; b_ephemeral: string;
        amount: string; price_version_id: string; free_tier: boolean;
      }>`
        with latest as (
          select distinct on (s.account_id, s.period) s.*
          from invoice_usage_snapshots s
          join invoices i on i.id = s.invoice_id and i.status = 'finalized'
          where s.account_id = any(${accountIds}::uuid[]) and s.period < ${before}::date
          order by s.account_id, s.period, i.period desc
        )
        select l.account_id, l.period, l.requests::text as b_requests, l.x86_mb_ms::text as b_x86, l.arm_mb_ms::text as b_arm,
               l.ephemeral_mb_ms::text as b_ephemeral, l.amount::text as amount, l.price_version_id, l.free_tier, u.*
        from latest l
        cross join lateral (
          select ${usageSums} from usage_monthly m where m.account_id = l.account_id and m.period = l.period
        ) u
        where u.requests::bigint <> l.requests
        order by l.account_id, l.period`.execute(db);
      return rows.map((r) => ({
        billed: {
          accountId: r.account_id, period: r.period, requests: BigInt(r.b_requests), x86MbMs: BigInt(r.b_x86),
          armMbMs: BigInt(r.b_arm), ephemeralMbMs: BigInt(r.b_ephemeral), amount: r.amount,
          priceVersionId: r.price_version_id, freeTier: r.free_tier,
        },
        now: toUsage(r),
      }));
    },

    /**
     * Writes invoices as drafts (refreshing an existing draft) or straight as finalized (finalizing
     * an existing draft); an account whose invoice for the month is already finalized is left alone
     * and not returned. The unique index keeps one per account and month. The lines of an invoice
     * finalized here are written in the same transaction (the lines guard allows exactly that).
     */
    async upsertInvoices(
      tx: Transaction<Database>,
      rows: { accountId: string; period: string; priceVersionId: string; freeTier: boolean; total: string }[],
      status: 'draft' | 'finalized',
      at: Date,
    ) {
      if (rows.length === 0) return new Map<string, string>();
      const finalizedAt = status === 'finalized' ? at : null;
      const { rows: out } = await sql<{ id: string; account_id: string }>`
        insert into invoices (account_id, period, status, price_version_id, free_tier, total, updated_at, finalized_at)
        select a, p, ${status}, v, f, t, ${at}, ${finalizedAt}::timestamptz
        from unnest(${rows.map((r) => r.accountId)}::uuid[], ${rows.map((r) => r.period)}::date[], ${rows.map((r) => r.priceVersionId)}::text[],
                    ${rows.map((r) => r.freeTier)}::boolean[], ${rows.map((r) => r.total)}::numeric[]) as x(a, p, v, f, t)
        order by a
        on conflict (account_id, period) where status <> 'void' do update
          set status = excluded.status, price_version_id = excluded.price_version_id, free_tier = excluded.free_tier,
              total = excluded.total, updated_at = excluded.updated_at, finalized_at = excluded.finalized_at
          where invoices.status = 'draft'
        returning id, account_id`.execute(tx);
      return new Map(out.map((r) => [r.account_id, r.id]));
    },

    async replaceLines(tx: Transaction<Database>, lines: (LineRow & { invoiceId: string; accountId: string; position: number })[], invoiceIds: string[]) {
      if (invoiceIds.length === 0) return;
      await tx.deleteFrom('invoice_lines').where('invoice_id', 'in', invoiceIds).execute();
      if (lines.length === 0) return;
      const col = <K extends keyof (typeof lines)[number]>(k: K) => lines.map((l) => l[k]);
      await sql`
        insert into invoice_lines (invoice_id, account_id, position, kind, architecture, tier, adjusts_period, description,
                                   quantity, free_quantity, billable_quantity, unit_price, amount)
        select * from unnest(${col('invoiceId')}::uuid[], ${col('accountId')}::uuid[], ${col('position')}::int[], ${col('kind')}::text[],
                             ${col('architecture')}::text[], ${col('tier')}::int[], ${col('adjustsPeriod')}::date[], ${col('description')}::text[],
                             ${col('quantity')}::numeric[], ${col('freeQuantity')}::numeric[], ${col('billableQuantity')}::numeric[],
                             ${col('unitPrice')}::numeric[], ${col('amount')}::numeric[])`.execute(tx);
    },

    async insertSnapshots(tx: Transaction<Database>, snapshots: (Snapshot & { invoiceId: string })[]) {
      if (snapshots.length === 0) return;
      const col = <K extends keyof (typeof snapshots)[number]>(k: K) => snapshots.map((s) => (typeof s[k] === 'bigint' ? String(s[k]) : s[k]));
      await sql`
        insert into invoice_usage_snapshots (invoice_id, account_id, period, requests, x86_mb_ms, arm_mb_ms, ephemeral_mb_ms, amount, price_version_id, free_tier)
        select * from unnest(${col('invoiceId')}::uuid[], ${col('accountId')}::uuid[], ${col('period')}::date[], ${col('requests')}::bigint[],
                             ${col('x86MbMs')}::bigint[], ${col('armMbMs')}::bigint[], ${col('ephemeralMbMs')}::bigint[], ${col('amount')}::numeric[],
                             ${col('priceVersionId')}::text[], ${col('freeTier')}::boolean[])`.execute(tx);
    },

    async finalizedAccounts(accountIds: string[], period: string): Promise<Set<string>> {
      if (accountIds.length === 0) return new Set();
      const rows = await db.selectFrom('invoices').select('account_id')
        .where('account_id', 'in', accountIds).where('period', '=', period).where('status', '=', 'finalized').execute();
      return new Set(rows.map((r) => r.account_id));
    },

    async findInvoice(id: string): Promise<InvoiceRow | null> {
      const row = await db.selectFrom('invoices').select(invoiceColumns).where('id', '=', id).executeTakeFirst();
      return row ? toInvoice(row) : null;
    },

    async findLiveInvoice(accountId: string, period: string): Promise<InvoiceRow | null> {
      const row = await db.selectFrom('invoices').select(invoiceColumns)
        .where('account_id', '=', accountId).where('period', '=', period).where('status', '<>', 'void').executeTakeFirst();
      return row ? toInvoice(row) : null;
    },

    async listInvoices(q: { accountId: string | null; period: string | null; status: InvoiceStatus | null; limit: number }): Promise<InvoiceRow[]> {
      let query = db.selectFrom('invoices').select(invoiceColumns).orderBy('period', 'desc').orderBy('account_id').orderBy('created_at').limit(q.limit);
      if (q.accountId) query = query.where('account_id', '=', q.accountId);
      if (q.period) query = query.where('period', '=', q.period);
      if (q.status) query = query.where('status', '=', q.status);
      return (await query.execute()).map(toInvoice);
    },

    async lines(invoiceIds: string[]): Promise<(LineRow & { id: string; invoiceId: string; position: number })[]> {
      if (invoiceIds.length === 0) return [];
      const rows = await db.selectFrom('invoice_lines').selectAll().where('invoice_id', 'in', invoiceIds).orderBy('invoice_id').orderBy('position').execute();
      return rows.map((r) => ({
        id: r.id, invoiceId: r.invoice_id, position: r.position, kind: r.kind, architecture: r.architecture, tier: r.tier,
        adjustsPeriod: r.adjusts_period, description: r.description, quantity: r.quantity, freeQuantity: r.free_quantity,
        billableQuantity: r.billable_quantity, unitPrice: r.unit_price, amount: r.amount,
      }));
    },

    /** Later finalized invoices that adjusted this invoice's month: voiding it then would bill those twice. */
    async laterAdjustments(invoice: InvoiceRow): Promise<string[]> {
      const rows = await db.selectFrom('invoice_usage_snapshots as s').innerJoin('invoices as i', 'i.id', 's.invoice_id')
        .select('i.id').where('s.account_id', '=', invoice.accountId).where('s.period', '=', invoice.period)
        .where('i.status', '=', 'finalized').where('i.id', '<>', invoice.id).execute();
      return rows.map((r) => r.id);
    },

    /** Through the owner's void_invoice(): the api's own role may not change a finalized invoice. */
    async markVoid(tx: Transaction<Database>, id: string, reason: string, at: Date): Promise<void> {
      await sql`select void_invoice(${id}::uuid, ${reason}, ${at}::timestamptz)`.execute(tx);
    },

    async deleteDraft(tx: Transaction<Database>, id: string): Promise<void> {
      await tx.deleteFrom('invoices').where('id', '=', id).where('status', '=', 'draft').execute();
    },

    /** The hourly rollups behind a line: the month (or the adjusted month), narrowed to the line's architecture. */
    async rollupsFor(q: { accountId: string; from: Date; to: Date; architecture: string | null; ephemeralOnly: boolean }) {
      let query = db.selectFrom('usage_hourly')
        .select(['hour', 'function_id', 'architecture', 'requests', 'billed_ms', 'mb_ms', 'ephemeral_mb_ms', 'init_mb_ms'])
        .where('account_id', '=', q.accountId).where('hour', '>=', q.from).where('hour', '<', q.to)
        .orderBy('hour').orderBy('function_id').orderBy('architecture');
      if (q.architecture) query = query.where('architecture', '=', q.architecture as 'x86_64' | 'arm64');
      if (q.ephemeralOnly) query = query.where('ephemeral_mb_ms', '>', '0');
      return query.execute();
    },

    async invocationsFor(q: { accountId: string; from: Date; to: Date; architecture: string | null; limit: number }) {
      let query = db.selectFrom('usage_events').select(['invocation_id', 'function_id', 'architecture', 'started_at', 'billed_ms', 'memory_mb', 'status'])
        .where('account_id', '=', q.accountId).where('started_at', '>=', q.from).where('started_at', '<', q.to)
        .orderBy('started_at').limit(q.limit);
      if (q.architecture) query = query.where('architecture', '=', q.architecture as 'x86_64' | 'arm64');
      return query.execute();
    },
  };
}

export type InvoicesRepository = ReturnType<typeof createInvoicesRepository>;
