import { sql, type Transaction } from 'kysely';
import { withoutStatementTimeout, type Db } from '../../db/database.js';
import type { Database, InvoiceStatus } from '../../db/schema.js';

/** One account-month of usage from the rollups: gross MB-ms per architecture and their init share. */
export interface PeriodUsage {
  requests: bigint;
  x86MbMs: bigint;
  armMbMs: bigint;
  x86InitMbMs: bigint;
  armInitMbMs: bigint;
  ephemeralMbMs: bigint;
  ephemeralInitMbMs: bigint;
}

export const NO_USAGE: PeriodUsage = {
  requests: 0n,
  x86MbMs: 0n,
  armMbMs: 0n,
  x86InitMbMs: 0n,
  armInitMbMs: 0n,
  ephemeralMbMs: 0n,
  ephemeralInitMbMs: 0n,
};

/** Billed totals of one (account, usage month): usage as priced, and the money billed for it. */
export interface BilledTotals {
  requests: bigint;
  x86MbMs: bigint;
  armMbMs: bigint;
  ephemeralMbMs: bigint;
  amount: string;
}

/** One step of a month's billing ledger: from the entry `fromSeq` to these totals. */
export interface LedgerEntry extends BilledTotals {
  accountId: string;
  period: string; // the usage month, YYYY-MM-01
  seq: number;
  fromSeq: number | null;
  kind: 'month' | 'adjustment' | 'release';
  invoiceId: string;
  releasesSeq: number | null;
  /** The standing invoice of the usage month itself after this step; null while it waits for its own run. */
  monthInvoiceId: string | null;
  priceVersionId: string;
  freeTier: boolean;
}

/** Where a month's billing stands: its newest ledger entry. */
export type BilledState = Omit<LedgerEntry, 'fromSeq' | 'kind' | 'invoiceId' | 'releasesSeq'>;

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

/** Another writer already took this ledger step (or release): the billing it was priced on has moved on. */
export function isLedgerStepTaken(err: unknown): boolean {
  const e = err as { code?: unknown; constraint?: unknown };
  return e?.code === '23505' && (e.constraint === 'billing_ledger_pkey' || e.constraint === 'billing_ledger_released_once');
}

/** The billed-state columns of a ledger entry `h`, as LedgerHeadRow reads them. */
const ledgerHeadColumns = sql`
  h.account_id, h.usage_period, h.seq, h.month_invoice_id, h.requests::text as b_requests, h.x86_mb_ms::text as b_x86,
  h.arm_mb_ms::text as b_arm, h.ephemeral_mb_ms::text as b_ephemeral, h.amount::text as b_amount, h.price_version_id, h.free_tier`;

interface LedgerHeadRow {
  account_id: string;
  usage_period: string;
  seq: number;
  month_invoice_id: string | null;
  b_requests: string;
  b_x86: string;
  b_arm: string;
  b_ephemeral: string;
  b_amount: string;
  price_version_id: string;
  free_tier: boolean;
}

const toBilledState = (r: LedgerHeadRow): BilledState => ({
  accountId: r.account_id,
  period: r.usage_period,
  seq: r.seq,
  monthInvoiceId: r.month_invoice_id,
  requests: BigInt(r.b_requests),
  x86MbMs: BigInt(r.b_x86),
  armMbMs: BigInt(r.b_arm),
  ephemeralMbMs: BigInt(r.b_ephemeral),
  amount: r.b_amount,
  priceVersionId: r.price_version_id,
  freeTier: r.free_tier,
});

/** Sums over usage_monthly rows (one per architecture) into one account-month. */
const usageSums = sql`
  coalesce(sum(requests), 0)::text as requests,
  coalesce(sum(mb_ms) filter (where architecture = 'x86_64'), 0)::text as x86,
  coalesce(sum(mb_ms) filter (where architecture = 'arm64'), 0)::text as arm,
  coalesce(sum(init_mb_ms) filter (where architecture = 'x86_64'), 0)::text as x86_init,
  coalesce(sum(init_mb_ms) filter (where architecture = 'arm64'), 0)::text as arm_init,
  coalesce(sum(ephemeral_mb_ms), 0)::text as ephemeral,
  coalesce(sum(init_ephemeral_mb_ms), 0)::text as ephemeral_init`;

interface UsageSumsRow {
  requests: string;
  x86: string;
  arm: string;
  x86_init: string;
  arm_init: string;
  ephemeral: string;
  ephemeral_init: string;
}

const toUsage = (r: UsageSumsRow): PeriodUsage => ({
  requests: BigInt(r.requests),
  x86MbMs: BigInt(r.x86),
  armMbMs: BigInt(r.arm),
  x86InitMbMs: BigInt(r.x86_init),
  armInitMbMs: BigInt(r.arm_init),
  ephemeralMbMs: BigInt(r.ephemeral),
  ephemeralInitMbMs: BigInt(r.ephemeral_init),
});

const invoiceColumns = [
  'id',
  'account_id',
  'period',
  'status',
  'currency',
  'price_version_id',
  'free_tier',
  'total',
  'created_at',
  'updated_at',
  'finalized_at',
  'voided_at',
  'void_reason',
] as const;

function toInvoice(r: {
  id: string;
  account_id: string;
  period: string;
  status: InvoiceStatus;
  currency: string;
  price_version_id: string;
  free_tier: boolean;
  total: string;
  created_at: Date;
  updated_at: Date;
  finalized_at: Date | null;
  voided_at: Date | null;
  void_reason: string | null;
}): InvoiceRow {
  return {
    id: r.id,
    accountId: r.account_id,
    period: r.period,
    status: r.status,
    currency: r.currency,
    priceVersionId: r.price_version_id,
    freeTier: r.free_tier,
    total: r.total,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finalizedAt: r.finalized_at,
    voidedAt: r.voided_at,
    voidReason: r.void_reason,
  };
}

const RUN_LOCK = 'tally.invoice-run';

export function createInvoicesRepository(db: Db) {
  return {
    /**
     * Runs `fn` holding the invoice-run lock for `key` (a month), across all api processes: a session-level
     * advisory lock on a connection kept for the purpose, released however `fn` ends. While another run
     * holds it, this one tries again every quarter second without holding a connection: waiting on the
     * lock itself would keep one of the pool's few connections per waiting run, and a script retrying a
     * month's run could leave none for invocations and ingest. Once `signal` is aborted it waits no more
     * and answers null without running `fn`.
     */
    async withRunLock<T>(key: number, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T | null> {
      for (;;) {
        if (signal?.aborted) return null;
        const run = await db.connection().execute(async (conn) => {
          const { rows } = await sql<{ got: boolean }>`select pg_try_advisory_lock(hashtext(${RUN_LOCK}), ${key}) as got`.execute(conn);
          if (!rows[0]?.got) return null;
          try {
            return { value: await fn() };
          } finally {
            await sql`select pg_advisory_unlock(hashtext(${RUN_LOCK}), ${key})`.execute(conn);
          }
        });
        if (run) return run.value;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },

    /**
     * Accounts to bill for a month, with their free-tier setting, in id order, in pages: those that
     * existed during it, and any with usage up to its end (stamped by the executor's clock, so it may
     * predate the account row by a little), which the month or its late-usage adjustments must bill.
     */
    async accountsForPeriod(end: Date, afterId: string | null, limit: number): Promise<{ id: string; freeTier: boolean }[]> {
      let q = db
        .selectFrom('accounts')
        .select(['id', 'free_tier'])
        .where((eb) =>
          eb.or([
            eb('created_at', '<', end),
            eb.exists(
              eb
                .selectFrom('usage_hourly as h')
                .select(sql.lit(1).as('one'))
                .whereRef('h.account_id', '=', 'accounts.id')
                .where('h.hour', '<', end),
            ),
          ]),
        )
        .orderBy('id')
        .limit(limit);
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
     * Where billing stands for these accounts up to `period`: the newest ledger entry of `period` itself
     * (there is one only if an earlier invoice of it was voided), and the earlier months whose own invoice
     * stands and whose usage grew since they were last billed (usage only ever grows, so any late event
     * changes the request count), with their usage now.
     */
    async billedStates(
      accountIds: string[],
      period: string,
    ): Promise<{ own: Map<string, BilledState>; late: { billed: BilledState; now: PeriodUsage }[] }> {
      const own = new Map<string, BilledState>();
      const late: { billed: BilledState; now: PeriodUsage }[] = [];
      if (accountIds.length === 0) return { own, late };
      const { rows } = await sql<UsageSumsRow & LedgerHeadRow>`
        with heads as (
          select distinct on (account_id, usage_period) *
          from billing_ledger
          where account_id = any(${accountIds}::uuid[]) and usage_period <= ${period}::date
          order by account_id, usage_period, seq desc
        )
        select ${ledgerHeadColumns}, u.*
        from heads h
        cross join lateral (
          select ${usageSums} from usage_monthly m where m.account_id = h.account_id and m.period = h.usage_period
        ) u
        where h.usage_period = ${period}::date or (h.month_invoice_id is not null and u.requests::bigint <> h.requests)
        order by h.account_id, h.usage_period`.execute(db);
      for (const r of rows) {
        if (r.usage_period === period) own.set(r.account_id, toBilledState(r));
        else late.push({ billed: toBilledState(r), now: toUsage(r) });
      }
      return { own, late };
    },

    /**
     * Writes invoices finalized (taking over a draft row stored by an earlier version of Tally); an account
     * whose invoice for the month is already finalized is left alone and not returned. The unique index
     * keeps one per account and month. The lines of an invoice finalized here are written in the same
     * transaction (the lines guard allows exactly that).
     */
    async finalizeInvoices(
      tx: Transaction<Database>,
      rows: { accountId: string; period: string; priceVersionId: string; freeTier: boolean; total: string }[],
      at: Date,
    ) {
      if (rows.length === 0) return new Map<string, string>();
      const { rows: out } = await sql<{ id: string; account_id: string }>`
        insert into invoices (account_id, period, status, price_version_id, free_tier, total, updated_at, finalized_at)
        select a, p, 'finalized', v, f, t, ${at}, ${at}::timestamptz
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

    async replaceLines(
      tx: Transaction<Database>,
      lines: (LineRow & { invoiceId: string; accountId: string; position: number })[],
      invoiceIds: string[],
    ) {
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

    /** Appends ledger entries; a step already taken from the same entry fails on the primary key (isLedgerStepTaken). */
    async appendLedger(tx: Transaction<Database>, entries: LedgerEntry[]) {
      if (entries.length === 0) return;
      const col = <K extends keyof LedgerEntry>(k: K) => entries.map((e) => (typeof e[k] === 'bigint' ? String(e[k]) : e[k]));
      await sql`
        insert into billing_ledger (account_id, usage_period, seq, from_seq, kind, invoice_id, releases_seq, month_invoice_id,
                                    requests, x86_mb_ms, arm_mb_ms, ephemeral_mb_ms, amount, price_version_id, free_tier)
        select * from unnest(${col('accountId')}::uuid[], ${col('period')}::date[], ${col('seq')}::int[], ${col('fromSeq')}::int[],
                             ${col('kind')}::text[], ${col('invoiceId')}::uuid[], ${col('releasesSeq')}::int[], ${col('monthInvoiceId')}::uuid[],
                             ${col('requests')}::bigint[], ${col('x86MbMs')}::bigint[], ${col('armMbMs')}::bigint[], ${col('ephemeralMbMs')}::bigint[],
                             ${col('amount')}::numeric[], ${col('priceVersionId')}::text[], ${col('freeTier')}::boolean[])`.execute(tx);
    },

    /**
     * What an invoice billed that still stands, per usage month: its entry, what that entry added (its totals
     * minus those of the entry it followed), and the month's newest entry now.
     */
    async standingBilling(tx: Transaction<Database>, accountId: string, invoiceId: string) {
      const { rows } = await sql<
        LedgerHeadRow & {
          entry_seq: number;
          entry_kind: 'month' | 'adjustment';
          d_requests: string;
          d_x86: string;
          d_arm: string;
          d_ephemeral: string;
          d_amount: string;
        }
      >`
        select e.seq as entry_seq, e.kind as entry_kind,
               (e.requests - coalesce(p.requests, 0))::text as d_requests, (e.x86_mb_ms - coalesce(p.x86_mb_ms, 0))::text as d_x86,
               (e.arm_mb_ms - coalesce(p.arm_mb_ms, 0))::text as d_arm, (e.ephemeral_mb_ms - coalesce(p.ephemeral_mb_ms, 0))::text as d_ephemeral,
               (e.amount - coalesce(p.amount, 0))::text as d_amount, ${ledgerHeadColumns}
        from billing_ledger e
        left join billing_ledger p on p.account_id = e.account_id and p.usage_period = e.usage_period and p.seq = e.from_seq
        cross join lateral (
          select * from billing_ledger n where n.account_id = e.account_id and n.usage_period = e.usage_period order by n.seq desc limit 1
        ) h
        where e.account_id = ${accountId} and e.invoice_id = ${invoiceId} and e.kind <> 'release'
          and not exists (select 1 from billing_ledger r where r.account_id = e.account_id and r.usage_period = e.usage_period and r.releases_seq = e.seq)
        order by e.usage_period`.execute(tx);
      return rows.map((r) => ({
        seq: r.entry_seq,
        kind: r.entry_kind,
        added: {
          requests: BigInt(r.d_requests),
          x86MbMs: BigInt(r.d_x86),
          armMbMs: BigInt(r.d_arm),
          ephemeralMbMs: BigInt(r.d_ephemeral),
          amount: r.d_amount,
        },
        head: toBilledState(r),
      }));
    },

    /** Invoices whose adjustments of a month, made after `afterSeq`, still stand. */
    async standingAdjusters(tx: Transaction<Database>, accountId: string, period: string, afterSeq: number): Promise<string[]> {
      const rows = await tx
        .selectFrom('billing_ledger as a')
        .select('a.invoice_id')
        .distinct()
        .where('a.account_id', '=', accountId)
        .where('a.usage_period', '=', period)
        .where('a.kind', '=', 'adjustment')
        .where('a.seq', '>', afterSeq)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('billing_ledger as r')
                .select('r.seq')
                .whereRef('r.account_id', '=', 'a.account_id')
                .whereRef('r.usage_period', '=', 'a.usage_period')
                .whereRef('r.releases_seq', '=', 'a.seq'),
            ),
          ),
        )
        .execute();
      return rows.map((r) => r.invoice_id);
    },

    /**
     * What one invoice billed of one usage month: its ledger step (the month's billed totals before and after
     * it), and the later invoices whose standing adjustments billed more of that month. Null when the
     * invoice took no step for the month (a draft).
     */
    async billedStep(accountId: string, period: string, invoiceId: string) {
      const { rows } = await sql<{
        created_at: Date;
        requests: string;
        x86_mb_ms: string;
        arm_mb_ms: string;
        ephemeral_mb_ms: string;
        later: string[];
      }>`
        select e.created_at,
               (e.requests - coalesce(p.requests, 0))::text as requests,
               (e.x86_mb_ms - coalesce(p.x86_mb_ms, 0))::text as x86_mb_ms,
               (e.arm_mb_ms - coalesce(p.arm_mb_ms, 0))::text as arm_mb_ms,
               (e.ephemeral_mb_ms - coalesce(p.ephemeral_mb_ms, 0))::text as ephemeral_mb_ms,
               array(select a.invoice_id::text from billing_ledger a
                      where a.account_id = e.account_id and a.usage_period = e.usage_period and a.kind = 'adjustment'
                        and a.seq > e.seq
                        and not exists (select 1 from billing_ledger r where r.account_id = a.account_id
                                           and r.usage_period = a.usage_period and r.releases_seq = a.seq)
                      order by a.seq) as later
          from billing_ledger e
          left join billing_ledger p on p.account_id = e.account_id and p.usage_period = e.usage_period and p.seq = e.from_seq
         where e.account_id = ${accountId} and e.usage_period = ${period} and e.invoice_id = ${invoiceId} and e.kind <> 'release'
         order by e.seq
         limit 1`.execute(db);
      return rows[0] ?? null;
    },

    /** Months in [from, before) in which some account has usage and no finalized invoice, oldest first. */
    async monthsWithUnbilledUsage(from: string, before: string): Promise<string[]> {
      // Without the statement timeout: it reads every account's monthly rollups since the catalog began
      // (it grows with accounts and months, not with a page), once an hour, for the finalizer alone.
      const { rows } = await withoutStatementTimeout(db, (tx) =>
        sql<{ period: string }>`
          select distinct m.period from usage_monthly m
          where m.period >= ${from}::date and m.period < ${before}::date
            and not exists (select 1 from invoices i where i.account_id = m.account_id and i.period = m.period and i.status = 'finalized')
          order by m.period`.execute(tx),
      );
      return rows.map((r) => r.period);
    },

    async finalizedAccounts(accountIds: string[], period: string): Promise<Set<string>> {
      if (accountIds.length === 0) return new Set();
      const rows = await db
        .selectFrom('invoices')
        .select('account_id')
        .where('account_id', 'in', accountIds)
        .where('period', '=', period)
        .where('status', '=', 'finalized')
        .execute();
      return new Set(rows.map((r) => r.account_id));
    },

    async findInvoice(id: string): Promise<InvoiceRow | null> {
      const row = await db.selectFrom('invoices').select(invoiceColumns).where('id', '=', id).executeTakeFirst();
      return row ? toInvoice(row) : null;
    },

    async findLiveInvoice(accountId: string, period: string): Promise<InvoiceRow | null> {
      const row = await db
        .selectFrom('invoices')
        .select(invoiceColumns)
        .where('account_id', '=', accountId)
        .where('period', '=', period)
        .where('status', '<>', 'void')
        .executeTakeFirst();
      return row ? toInvoice(row) : null;
    },

    /** Finalized and void invoices; a draft row (stored by an earlier version of Tally) is stale and left out. */
    async listInvoices(q: {
      accountId: string | null;
      period: string | null;
      status: InvoiceStatus | null;
      limit: number;
    }): Promise<InvoiceRow[]> {
      let query = db
        .selectFrom('invoices')
        .select(invoiceColumns)
        .where('status', '<>', 'draft')
        .orderBy('period', 'desc')
        .orderBy('account_id')
        .orderBy('created_at')
        .limit(q.limit);
      if (q.accountId) query = query.where('account_id', '=', q.accountId);
      if (q.period) query = query.where('period', '=', q.period);
      if (q.status) query = query.where('status', '=', q.status);
      return (await query.execute()).map(toInvoice);
    },

    async lines(invoiceIds: string[]): Promise<(LineRow & { id: string; invoiceId: string; position: number })[]> {
      if (invoiceIds.length === 0) return [];
      const rows = await db
        .selectFrom('invoice_lines')
        .selectAll()
        .where('invoice_id', 'in', invoiceIds)
        .orderBy('invoice_id')
        .orderBy('position')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        invoiceId: r.invoice_id,
        position: r.position,
        kind: r.kind,
        architecture: r.architecture,
        tier: r.tier,
        adjustsPeriod: r.adjusts_period,
        description: r.description,
        quantity: r.quantity,
        freeQuantity: r.free_quantity,
        billableQuantity: r.billable_quantity,
        unitPrice: r.unit_price,
        amount: r.amount,
      }));
    },

    /** The invoice, locked until the transaction ends (a void decides on what it reads). */
    async lockInvoice(tx: Transaction<Database>, id: string): Promise<InvoiceRow | null> {
      const row = await tx.selectFrom('invoices').select(invoiceColumns).where('id', '=', id).forUpdate().executeTakeFirst();
      return row ? toInvoice(row) : null;
    },

    /** Through the owner's void_invoice(): the api's own role may not change a finalized invoice. */
    async markVoid(tx: Transaction<Database>, id: string, reason: string, at: Date): Promise<void> {
      await sql`select void_invoice(${id}::uuid, ${reason}, ${at}::timestamptz)`.execute(tx);
    },

    /**
     * The hourly rollups behind a line: the month (or the adjusted month), narrowed to the line's
     * architecture; one row per (hour, function, architecture), its shards summed.
     */
    async rollupsFor(q: { accountId: string; from: Date; to: Date; architecture: string | null; ephemeralOnly: boolean }) {
      const { rows } = await sql<{
        hour: Date;
        function_id: string;
        architecture: 'x86_64' | 'arm64';
        requests: string;
        billed_ms: string;
        mb_ms: string;
        ephemeral_mb_ms: string;
        init_mb_ms: string;
        init_ephemeral_mb_ms: string;
      }>`
        select hour, function_id, architecture, sum(requests)::text as requests, sum(billed_ms)::text as billed_ms,
               sum(mb_ms)::text as mb_ms, sum(ephemeral_mb_ms)::text as ephemeral_mb_ms, sum(init_mb_ms)::text as init_mb_ms,
               sum(init_ephemeral_mb_ms)::text as init_ephemeral_mb_ms
        from usage_hourly
        where account_id = ${q.accountId} and hour >= ${q.from} and hour < ${q.to}
          ${q.architecture ? sql`and architecture = ${q.architecture}` : sql``}
        group by hour, function_id, architecture
        ${q.ephemeralOnly ? sql`having sum(ephemeral_mb_ms) > 0` : sql``}
        order by hour, function_id, architecture`.execute(db);
      return rows;
    },

    /**
     * The invocations behind a line, oldest first. Events are partitioned by the month their id was
     * made in (migration 0092), which is the month they started in give or take the day of clock
     * skew ingest allows: only the partitions of the months around [from, to) and the one of other
     * ids are read, not an account's whole history.
     */
    async invocationsFor(q: {
      accountId: string;
      from: Date;
      to: Date;
      architecture: string | null;
      ephemeralOnly: boolean;
      limit: number;
    }) {
      const month = (d: Date) => d.getUTCFullYear() * 12 + d.getUTCMonth();
      let query = db
        .selectFrom('usage_events')
        .select(['invocation_id', 'function_id', 'architecture', 'started_at', 'billed_ms', 'memory_mb', 'status'])
        .where('account_id', '=', q.accountId)
        .where((eb) => eb.or([eb('id_month', '=', 0), eb.between('id_month', month(q.from) - 1, month(new Date(q.to.getTime() - 1)) + 1)]))
        .where('started_at', '>=', q.from)
        .where('started_at', '<', q.to)
        .orderBy('started_at')
        .limit(q.limit);
      if (q.architecture) query = query.where('architecture', '=', q.architecture as 'x86_64' | 'arm64');
      // an ephemeral storage line bills only the storage above the included 512 MB, as rollupsFor's hours
      if (q.ephemeralOnly) query = query.where('ephemeral_storage_mb', '>', 512);
      return query.execute();
    },
  };
}

export type InvoicesRepository = ReturnType<typeof createInvoicesRepository>;
