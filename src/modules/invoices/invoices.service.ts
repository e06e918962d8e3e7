import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, errors } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { Money, ZERO, formatDecimal, formatMoney, mbMsToGbSeconds } from '../../lib/money.js';
import { periodDate, periodEnd, periodFromDate, periodOf, periodStart, type Period } from '../../lib/period.js';
import type { AuditService } from '../audit/audit.service.js';
import { priceMonth, type MonthUsage, type PricedMonth, type PriceVersion } from '../pricing/pricing.engine.js';
import type { PricingService } from '../pricing/pricing.service.js';
import { NO_USAGE, type InvoiceRow, type InvoicesRepository, type LineRow, type PeriodUsage, type Snapshot } from './invoices.repository.js';

const RUN_PAGE = 1000;
const RUN_LOCK = 'tally.invoice-run';

/** Usage as a price version sees it: without the init share when that version does not bill init. */
function monthUsage(u: PeriodUsage, v: PriceVersion): MonthUsage {
  return {
    requests: u.requests,
    computeMbMs: {
      x86_64: v.billsInit ? u.x86MbMs : u.x86MbMs - u.x86InitMbMs,
      arm64: v.billsInit ? u.armMbMs : u.armMbMs - u.armInitMbMs,
    },
    ephemeralMbMs: u.ephemeralMbMs,
  };
}

const thousands = (n: bigint) => n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');

export interface ComputedInvoice {
  accountId: string;
  period: Period;
  version: PriceVersion;
  freeTier: boolean;
  priced: PricedMonth;
  lines: LineRow[];
  total: Money;
  snapshots: Snapshot[];
}

export function createInvoicesService(deps: {
  db: Db;
  repo: InvoicesRepository;
  pricing: Pick<PricingService, 'resolver'>;
  audit: Pick<AuditService, 'record'>;
  accounts: { freeTierOf(accountId: string): Promise<boolean> };
  clock: Clock;
  log: Logger;
}) {
  const { repo } = deps;

  /**
   * Prices one month for many accounts with the version in force for it, and adds one adjustment
   * line per earlier finalized month whose usage grew since it was billed: the month re-priced
   * with its own version and free tier, minus what was billed for it. Pure apart from two reads.
   */
  async function compute(accounts: { id: string; freeTier: boolean }[], period: Period, usageOverride?: Map<string, PeriodUsage>): Promise<ComputedInvoice[]> {
    const ids = accounts.map((a) => a.id);
    const versionOf = await deps.pricing.resolver();
    const version = versionOf(period);
    const usage = usageOverride ?? (await repo.usageByAccount(ids, periodDate(period)));
    const late = new Map<string, Awaited<ReturnType<InvoicesRepository['lateUsage']>>>();
    for (const l of await repo.lateUsage(ids, periodDate(period))) {
      late.set(l.billed.accountId, [...(late.get(l.billed.accountId) ?? []), l]);
    }
    return accounts.map((account) => {
      const u = usage.get(account.id) ?? NO_USAGE;
      const mu = monthUsage(u, version);
      const priced = priceMonth(mu, version, { freeTier: account.freeTier });
      const lines: LineRow[] = priced.lines.map((l) => ({
        kind: l.kind,
        architecture: l.architecture,
        tier: l.tier,
        adjustsPeriod: null,
        description: l.description,
        quantity: formatDecimal(l.quantity),
        freeQuantity: formatDecimal(l.freeQuantity),
        billableQuantity: formatDecimal(l.billableQuantity),
        unitPrice: formatDecimal(l.unitPrice),
        amount: formatMoney(l.amount),
      }));
      const snapshots: Snapshot[] = [{
        accountId: account.id, period: periodDate(period), requests: u.requests, x86MbMs: mu.computeMbMs.x86_64,
        armMbMs: mu.computeMbMs.arm64, ephemeralMbMs: u.ephemeralMbMs, amount: formatMoney(priced.total),
        priceVersionId: version.id, freeTier: account.freeTier,
      }];
      let total = priced.total;
      for (const { billed, now } of late.get(account.id) ?? []) {
        const v = versionOf(periodFromDate(billed.period));
        const nowUsage = monthUsage(now, v);
        const repriced = priceMonth(nowUsage, v, { freeTier: billed.freeTier }).total;
        const delta = repriced.minus(billed.amount);
        const moreGbS = mbMsToGbSeconds(nowUsage.computeMbMs.x86_64 + nowUsage.computeMbMs.arm64 - billed.x86MbMs - billed.armMbMs);
        lines.push({
          kind: 'adjustment',
          architecture: null,
          tier: null,
          adjustsPeriod: billed.period,
          description: `Late usage for ${periodFromDate(billed.period)}: +${thousands(now.requests - billed.requests)} requests, ` +
            `+${formatDecimal(moreGbS)} GB-s (month re-priced at ${formatMoney(repriced)}, billed ${formatMoney(new Money(billed.amount))})`,
          quantity: '1',
          freeQuantity: '0',
          billableQuantity: '1',
          unitPrice: formatMoney(delta),
          amount: formatMoney(delta),
        });
        total = total.plus(delta);
        snapshots.push({
          accountId: account.id, period: billed.period, requests: now.requests, x86MbMs: nowUsage.computeMbMs.x86_64,
          armMbMs: nowUsage.computeMbMs.arm64, ephemeralMbMs: now.ephemeralMbMs, amount: formatMoney(repriced),
          priceVersionId: v.id, freeTier: billed.freeTier,
        });
      }
      return { accountId: account.id, period, version, freeTier: account.freeTier, priced, lines, total, snapshots };
    });
  }

  /** Writes drafts, or finalized invoices with their usage snapshots and audit entries, in one transaction. */
  async function store(computed: ComputedInvoice[], finalize: { actor: string } | null): Promise<Map<string, string>> {
    const at = deps.clock.now();
    return deps.db.transaction().execute(async (tx) => {
      const ids = await repo.upsertInvoices(tx, computed.map((c) => ({
        accountId: c.accountId, period: periodDate(c.period), priceVersionId: c.version.id, freeTier: c.freeTier, total: formatMoney(c.total),
      })), finalize ? 'finalized' : 'draft', at);
      const written = computed.filter((c) => ids.has(c.accountId));
      await repo.replaceLines(
        tx,
        written.flatMap((c) => c.lines.map((l, i) => ({ ...l, invoiceId: ids.get(c.accountId)!, accountId: c.accountId, position: i + 1 }))),
        [...ids.values()],
      );
      if (finalize && written.length > 0) {
        await repo.insertSnapshots(tx, written.flatMap((c) => c.snapshots.map((s) => ({ ...s, invoiceId: ids.get(c.accountId)! }))));
        await deps.audit.record(tx, written.map((c) => ({
          actor: finalize.actor, action: 'invoice.finalized' as const, accountId: c.accountId, subject: ids.get(c.accountId)!,
          reason: `monthly invoice run for ${c.period}`, details: { total: formatMoney(c.total), priceVersion: c.version.id },
        })));
      }
      return ids;
    });
  }

  function assertNotFuture(period: Period): void {
    if (period > periodOf(deps.clock.now())) throw errors.validation(`period ${period} has not started yet`, [{ field: 'period' }]);
  }

  /** The draft of an open (or not yet finalized) month, recomputed now; a finalized invoice is returned as it is. */
  async function refreshDraft(accountId: string, period: Period): Promise<InvoiceRow> {
    assertNotFuture(period);
    const live = await repo.findLiveInvoice(accountId, periodDate(period));
    if (live?.status === 'finalized') return live;
    const freeTier = await deps.accounts.freeTierOf(accountId);
    await store(await compute([{ id: accountId, freeTier }], period), null);
    return (await repo.findLiveInvoice(accountId, periodDate(period)))!;
  }

  async function withLines(invoices: InvoiceRow[]) {
    const lines = await repo.lines(invoices.map((i) => i.id));
    return invoices.map((inv) => ({
      id: inv.id,
      accountId: inv.accountId,
      period: periodFromDate(inv.period),
      status: inv.status,
      currency: inv.currency,
      total: new Money(inv.total).toFixed(2),
      priceVersion: inv.priceVersionId,
      freeTier: inv.freeTier,
      createdAt: inv.createdAt.toISOString(),
      updatedAt: inv.updatedAt.toISOString(),
      finalizedAt: inv.finalizedAt?.toISOString() ?? null,
      voidedAt: inv.voidedAt?.toISOString() ?? null,
      voidReason: inv.voidReason,
      lines: lines.filter((l) => l.invoiceId === inv.id).map((l) => ({
        id: l.id,
        kind: l.kind,
        architecture: l.architecture,
        tier: l.tier,
        adjustsPeriod: l.adjustsPeriod ? periodFromDate(l.adjustsPeriod) : null,
        description: l.description,
        quantity: formatDecimal(new Money(l.quantity)),
        freeQuantity: formatDecimal(new Money(l.freeQuantity)),
        billableQuantity: formatDecimal(new Money(l.billableQuantity)),
        unitPrice: formatDecimal(new Money(l.unitPrice)),
        amount: new Money(l.amount).toFixed(2),
      })),
    }));
  }

  /** The invoice if this caller may see it; another tenant's is "not found". */
  async function visible(accountId: string | null, id: string): Promise<InvoiceRow> {
    const inv = /^[0-9a-f-]{36}$/i.test(id) ? await repo.findInvoice(id) : null;
    if (!inv || (accountId !== null && inv.accountId !== accountId)) throw new AppError('NOT_FOUND', 404, `Invoice ${id} was not found`);
    return inv;
  }

  return {
    compute,

    /**
     * Finalizes every account's invoice for a closed month. One run at a time across all api
     * processes (advisory lock); the unique index on (account, month) backs it, so running it
     * twice, or on two processes at once, yields one invoice per account and month.
     */
    async run(period: Period, actor: string) {
      if (periodEnd(period) > deps.clock.now()) {
        throw new AppError('CONFLICT', 409, `The month ${period} is still open; it can be finalized from ${periodEnd(period).toISOString()}`);
      }
      const started = performance.now();
      return deps.db.connection().execute(async (conn) => {
        await sql`select pg_advisory_lock(hashtext(${RUN_LOCK}), ${Number(period.replace('-', ''))})`.execute(conn);
        try {
          let after: string | null = null;
          let finalized = 0;
          let already = 0;
          let amount = ZERO;
          // Pages are pipelined: the next page is priced (CPU here) while up to two earlier pages are
          // written, each in its own transaction on its own connection (work in Postgres).
          const writing = new Set<Promise<void>>();
          // A page whose write fails fails the run; its promise must not leave the set unobserved
          // (an unhandled rejection ends the process, and the run would report success).
          let failed: { err: unknown } | null = null;
          const write = async (computed: ComputedInvoice[]) => {
            const ids = await store(computed, { actor });
            finalized += ids.size;
            already += computed.length - ids.size;
            for (const c of computed) if (ids.has(c.accountId)) amount = amount.plus(c.total);
          };
          try {
            while (!failed) {
              const page = await repo.accountsForPeriod(periodEnd(period), after, RUN_PAGE);
              if (page.length === 0) break;
              after = page.at(-1)!.id;
              const done = await repo.finalizedAccounts(page.map((a) => a.id), periodDate(period));
              const todo = page.filter((a) => !done.has(a.id));
              already += page.length - todo.length;
              if (todo.length === 0) continue;
              const computed = await compute(todo, period);
              if (writing.size >= 2) await Promise.race(writing);
              const w: Promise<void> = write(computed).catch((err: unknown) => void (failed ??= { err })).finally(() => writing.delete(w));
              writing.add(w);
            }
          } finally {
            await Promise.all(writing);
          }
          if (failed) throw (failed as { err: unknown }).err;
          deps.log.info({ period, finalized, already, ms: Math.round(performance.now() - started) }, 'invoice run finished');
          return { period, finalized, alreadyFinalized: already, total: formatMoney(amount) };
        } finally {
          await sql`select pg_advisory_unlock(hashtext(${RUN_LOCK}), ${Number(period.replace('-', ''))})`.execute(conn);
        }
      });
    },

    /** Invoices of one account (drafts of open months recomputed first), or of all accounts for an admin. */
    async list(accountId: string | null, q: { period: Period | null; status: 'draft' | 'finalized' | 'void' | null; limit: number }) {
      if (accountId !== null) {
        const current = periodOf(deps.clock.now());
        await refreshDraft(accountId, current);
        if (q.period && q.period !== current && q.period < current) await refreshDraft(accountId, q.period);
      }
      const rows = await repo.listInvoices({ accountId, period: q.period ? periodDate(q.period) : null, status: q.status, limit: q.limit });
      return withLines(rows);
    },

    async get(accountId: string | null, id: string) {
      let inv = await visible(accountId, id);
      if (inv.status === 'draft') inv = await refreshDraft(inv.accountId, periodFromDate(inv.period));
      return (await withLines([inv]))[0]!;
    },

    async void(id: string, actor: string, reason: string) {
      const inv = await visible(null, id);
      if (inv.status !== 'finalized') throw new AppError('CONFLICT', 409, `Invoice ${id} is ${inv.status}: only a finalized invoice can be voided`);
      const later = await repo.laterAdjustments(inv);
      if (later.length > 0) {
        throw new AppError('CONFLICT', 409, `Later invoices (${later.join(', ')}) billed late usage of ${periodFromDate(inv.period)}; void them first`);
      }
      await deps.db.transaction().execute(async (tx) => {
        await repo.markVoid(tx, id, reason, deps.clock.now());
        await deps.audit.record(tx, [{ actor, action: 'invoice.voided', accountId: inv.accountId, subject: id, reason, details: { total: inv.total } }]);
      });
      return (await withLines([(await repo.findInvoice(id))!]))[0]!;
    },

    /** The rollup hours behind one line (and on request the invocations), so any amount can be explained. */
    async lineUsage(accountId: string | null, invoiceId: string, lineId: string, opts: { invocations: boolean; limit: number }) {
      const inv = await visible(accountId, invoiceId);
      const line = (await repo.lines([inv.id])).find((l) => l.id === lineId);
      if (!line) throw new AppError('NOT_FOUND', 404, `Line ${lineId} is not on invoice ${invoiceId}`);
      const period = periodFromDate(line.adjustsPeriod ?? inv.period);
      const range = { accountId: inv.accountId, from: periodStart(period), to: periodEnd(period), architecture: line.kind === 'compute' ? line.architecture : null };
      const hours = await repo.rollupsFor({ ...range, ephemeralOnly: line.kind === 'ephemeral_storage' });
      const invocations = opts.invocations ? await repo.invocationsFor({ ...range, limit: opts.limit }) : null;
      return {
        invoiceId: inv.id,
        lineId,
        period,
        hours: hours.map((h) => ({
          hour: h.hour.toISOString(), functionId: h.function_id, architecture: h.architecture, requests: Number(h.requests),
          billedMs: Number(h.billed_ms), gbSeconds: formatDecimal(mbMsToGbSeconds(h.mb_ms)),
          initGbSeconds: formatDecimal(mbMsToGbSeconds(h.init_mb_ms)), ephemeralGbSeconds: formatDecimal(mbMsToGbSeconds(h.ephemeral_mb_ms)),
        })),
        ...(invocations ? {
          invocations: invocations.map((i) => ({
            invocationId: i.invocation_id, functionId: i.function_id, architecture: i.architecture, startedAt: i.started_at.toISOString(),
            billedMs: Number(i.billed_ms), memoryMb: i.memory_mb, status: i.status,
          })),
        } : {}),
      };
    },

    /** Month to date, free tier applied, and a forecast: usage so far scaled linearly to the whole month, then priced. */
    async currentCost(accountId: string) {
      const now = deps.clock.now();
      const period = periodOf(now);
      const freeTier = await deps.accounts.freeTierOf(accountId);
      const usage = (await repo.usageByAccount([accountId], periodDate(period))).get(accountId) ?? NO_USAGE;
      const [sofar] = await compute([{ id: accountId, freeTier }], period, new Map([[accountId, usage]]));
      const elapsed = BigInt(Math.max(1, now.getTime() - periodStart(period).getTime()));
      const length = BigInt(periodEnd(period).getTime() - periodStart(period).getTime());
      const scale = (n: bigint) => (n * length) / elapsed;
      const projected: PeriodUsage = {
        requests: scale(usage.requests), x86MbMs: scale(usage.x86MbMs), armMbMs: scale(usage.armMbMs),
        x86InitMbMs: scale(usage.x86InitMbMs), armInitMbMs: scale(usage.armInitMbMs), ephemeralMbMs: scale(usage.ephemeralMbMs),
      };
      const [forecast] = await compute([{ id: accountId, freeTier }], period, new Map([[accountId, projected]]));
      const ft = sofar!.priced.freeTier;
      return {
        accountId,
        period,
        asOf: now.toISOString(),
        currency: 'USD',
        priceVersion: sofar!.version.id,
        total: formatMoney(sofar!.total),
        lines: sofar!.lines,
        freeTier: {
          enabled: freeTier,
          requestsUsed: Number(ft.requestsUsed),
          requestsRemaining: Number(ft.requestsRemaining),
          gbSecondsUsed: formatDecimal(ft.gbSecondsUsed),
          gbSecondsRemaining: formatDecimal(ft.gbSecondsRemaining),
        },
        forecast: {
          total: formatMoney(forecast!.total),
          method: 'linear: usage so far scaled to the whole month, then priced with tiers and free tier',
          elapsedFraction: new Money(elapsed.toString()).div(length.toString()).toFixed(4),
        },
      };
    },
  };
}

export type InvoicesService = ReturnType<typeof createInvoicesService>;
