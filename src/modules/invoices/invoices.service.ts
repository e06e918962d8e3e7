import { isUuid } from '../../contracts/usage.js';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, errors } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { Money, ZERO, formatDecimal, formatMoney, mbMsToGbSeconds } from '../../lib/money.js';
import { periodDate, periodEnd, periodFromDate, periodOf, periodStart, previousPeriod, type Period } from '../../lib/period.js';
import type { AuditService } from '../audit/audit.service.js';
import { priceMonth, type MonthUsage, type PricedMonth, type PriceVersion } from '../pricing/pricing.engine.js';
import type { PricingService } from '../pricing/pricing.service.js';
import { draftDto, invoiceDto, parseDraftId, type InvoiceDto } from './invoices.dto.js';
import {
  NO_USAGE,
  isLedgerStepTaken,
  type InvoiceRow,
  type InvoicesRepository,
  type LedgerEntry,
  type LineRow,
  type PeriodUsage,
} from './invoices.repository.js';

/** Usage as a price version sees it: without the init share when that version does not bill init. */
function monthUsage(u: PeriodUsage, v: PriceVersion): MonthUsage {
  return {
    requests: u.requests,
    computeMbMs: {
      x86_64: v.billsInit ? u.x86MbMs : u.x86MbMs - u.x86InitMbMs,
      arm64: v.billsInit ? u.armMbMs : u.armMbMs - u.armInitMbMs,
    },
    ephemeralMbMs: v.billsInit ? u.ephemeralMbMs : u.ephemeralMbMs - u.ephemeralInitMbMs,
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
  /** The ledger steps finalizing this invoice takes: its own month, and each earlier month it adjusts. */
  entries: Omit<LedgerEntry, 'invoiceId'>[];
}

export function createInvoicesService(deps: {
  db: Db;
  repo: InvoicesRepository;
  pricing: Pick<PricingService, 'resolver' | 'catalogStart'>;
  audit: Pick<AuditService, 'record'>;
  accounts: { freeTierOf(accountId: string): Promise<boolean> };
  clock: Clock;
  log: Logger;
  runPageSize?: number;
}) {
  const { repo } = deps;
  const runPage = deps.runPageSize ?? 1000;

  /**
   * Prices one month for many accounts with the version in force for it, and adds one adjustment
   * line per earlier month whose own invoice stands and whose usage grew since it was last billed:
   * the month re-priced with its own version and free tier, minus what stands billed for it. Pure
   * apart from its reads; what it read is named in the ledger entries it returns, so finalizing on
   * a stale read fails instead of billing twice.
   */
  async function compute(
    accounts: { id: string; freeTier: boolean }[],
    period: Period,
    usageOverride?: Map<string, PeriodUsage>,
  ): Promise<ComputedInvoice[]> {
    const ids = accounts.map((a) => a.id);
    const versionOf = await deps.pricing.resolver();
    const version = versionOf(period);
    const usage = usageOverride ?? (await repo.usageByAccount(ids, periodDate(period)));
    const states = await repo.billedStates(ids, periodDate(period));
    const late = new Map<string, typeof states.late>();
    for (const l of states.late) late.set(l.billed.accountId, [...(late.get(l.billed.accountId) ?? []), l]);
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
      // a month billed before by an invoice since voided follows on from that billing's release
      const before = states.own.get(account.id);
      const entries: ComputedInvoice['entries'] = [
        {
          accountId: account.id,
          period: periodDate(period),
          seq: (before?.seq ?? 0) + 1,
          fromSeq: before?.seq ?? null,
          kind: 'month',
          releasesSeq: null,
          monthInvoiceId: null,
          requests: u.requests,
          x86MbMs: mu.computeMbMs.x86_64,
          armMbMs: mu.computeMbMs.arm64,
          ephemeralMbMs: mu.ephemeralMbMs,
          amount: formatMoney(priced.total),
          priceVersionId: version.id,
          freeTier: account.freeTier,
        },
      ];
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
          description:
            `Late usage for ${periodFromDate(billed.period)}: +${thousands(now.requests - billed.requests)} requests, ` +
            `+${formatDecimal(moreGbS)} GB-s (month re-priced at ${formatMoney(repriced)}, billed ${formatMoney(new Money(billed.amount))})`,
          quantity: '1',
          freeQuantity: '0',
          billableQuantity: '1',
          unitPrice: formatMoney(delta),
          amount: formatMoney(delta),
        });
        total = total.plus(delta);
        entries.push({
          accountId: account.id,
          period: billed.period,
          seq: billed.seq + 1,
          fromSeq: billed.seq,
          kind: 'adjustment',
          releasesSeq: null,
          monthInvoiceId: billed.monthInvoiceId,
          requests: now.requests,
          x86MbMs: nowUsage.computeMbMs.x86_64,
          armMbMs: nowUsage.computeMbMs.arm64,
          ephemeralMbMs: nowUsage.ephemeralMbMs,
          amount: formatMoney(repriced),
          priceVersionId: billed.priceVersionId,
          freeTier: billed.freeTier,
        });
      }
      return { accountId: account.id, period, version, freeTier: account.freeTier, priced, lines, total, entries };
    });
  }

  /** Runs `write` again (up to 3 times) when another writer took the ledger step it was about to take. */
  async function withLedgerRetry<T>(write: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (err) {
        if (attempt >= 3 || !isLedgerStepTaken(err)) throw err;
        deps.log.info({ attempt }, 'a ledger step was taken by a concurrent writer; pricing again');
      }
    }
  }

  /**
   * Writes finalized invoices with their lines, ledger steps and audit entries, in one transaction. A
   * ledger step another invoice took first (it priced the same late usage) fails the whole transaction
   * on the ledger's key (isLedgerStepTaken): nothing is written and the caller prices again.
   */
  async function store(computed: ComputedInvoice[], actor: string): Promise<Map<string, string>> {
    const at = deps.clock.now();
    return deps.db.transaction().execute(async (tx) => {
      const ids = await repo.finalizeInvoices(
        tx,
        computed.map((c) => ({
          accountId: c.accountId,
          period: periodDate(c.period),
          priceVersionId: c.version.id,
          freeTier: c.freeTier,
          total: formatMoney(c.total),
        })),
        at,
      );
      const written = computed.filter((c) => ids.has(c.accountId));
      await repo.replaceLines(
        tx,
        written.flatMap((c) =>
          c.lines.map((l, i) => ({ ...l, invoiceId: ids.get(c.accountId)!, accountId: c.accountId, position: i + 1 })),
        ),
        [...ids.values()],
      );
      if (written.length > 0) {
        await repo.appendLedger(
          tx,
          written.flatMap((c) =>
            c.entries.map((e) => {
              const invoiceId = ids.get(c.accountId)!;
              return { ...e, invoiceId, monthInvoiceId: e.kind === 'month' ? invoiceId : e.monthInvoiceId };
            }),
          ),
        );
        await deps.audit.record(
          tx,
          written.map((c) => ({
            actor,
            action: 'invoice.finalized' as const,
            accountId: c.accountId,
            subject: ids.get(c.accountId)!,
            reason: `monthly invoice run for ${c.period}`,
            details: { total: formatMoney(c.total), priceVersion: c.version.id },
          })),
        );
      }
      return ids;
    });
  }

  /**
   * The draft of a month that has no finalized invoice, computed now and stored nowhere; null for a month
   * not started yet, before the price catalog begins, or already finalized.
   */
  async function draftOf(accountId: string, period: Period) {
    const start = await deps.pricing.catalogStart();
    if (start === null || period < start || period > periodOf(deps.clock.now())) return null;
    if ((await repo.findLiveInvoice(accountId, periodDate(period)))?.status === 'finalized') return null;
    const [c] = await compute([{ id: accountId, freeTier: await deps.accounts.freeTierOf(accountId) }], period);
    return draftDto(c!, deps.clock.now());
  }

  async function withLines(invoices: InvoiceRow[]): Promise<InvoiceDto[]> {
    const lines = await repo.lines(invoices.map((i) => i.id));
    return invoices.map((inv) =>
      invoiceDto(
        inv,
        lines.filter((l) => l.invoiceId === inv.id),
      ),
    );
  }

  /** The stored invoice if this caller may see it; another tenant's is "not found". */
  async function visible(accountId: string | null, id: string): Promise<InvoiceRow> {
    const inv = isUuid(id) ? await repo.findInvoice(id) : null;
    if (!inv || (accountId !== null && inv.accountId !== accountId)) throw errors.invoiceNotFound(id);
    return inv;
  }

  /** One invoice as the api shows it: a draft computed now, or a stored invoice with its lines. */
  async function get(scope: string | null, id: string): Promise<InvoiceDto> {
    const draft = parseDraftId(id);
    if (draft) {
      const { accountId, period } = draft;
      // the answer does not repeat the id: it names an account, maybe not the caller's
      const notFound = errors.invoiceNotFound(`draft for ${period}`);
      if (scope !== null && scope !== accountId) throw notFound;
      const dto = await draftOf(accountId, period).catch((err: unknown) => {
        if (err instanceof AppError && err.code === 'ACCOUNT_NOT_FOUND') return null;
        throw err;
      });
      if (!dto) throw notFound;
      return dto;
    }
    const inv = await visible(scope, id);
    // a draft stored by an earlier version of Tally is stale: show the month as it stands now
    if (inv.status === 'draft') return (await draftOf(inv.accountId, periodFromDate(inv.period))) ?? (await withLines([inv]))[0]!;
    return (await withLines([inv]))[0]!;
  }

  return {
    compute,

    /**
     * Finalizes every account's invoice for a closed month. One run per month at a time across all
     * api processes (advisory lock); the unique index on (account, month) backs it, so running it
     * twice, or on two processes at once, yields one invoice per account and month. Runs of different
     * months may overlap: the billing ledger's key lets only one of them bill a late usage.
     *
     * `signal` (the finalizer's, aborted when the api stops): from then on no new page is started, and
     * no longer waited for another process's run of the month; the run answers what it finalized, and
     * the next run finishes the month.
     */
    async run(period: Period, actor: string, opts: { signal?: AbortSignal } = {}) {
      if (periodEnd(period) > deps.clock.now()) {
        throw new AppError(
          'CONFLICT',
          409,
          `The month ${period} is still open; it can be finalized from ${periodEnd(period).toISOString()}`,
        );
      }
      const started = performance.now();
      // A run of any size keeps within the statement timeout (docs/operations.md, "Statement timeout"):
      // each of its statements reads or writes one page of `runPage` accounts, never the whole month.
      const outcome = await repo.withRunLock(Number(period.replace('-', '')), opts.signal, async () => {
        let after: string | null = null;
        let finalized = 0;
        let already = 0;
        let amount = ZERO;
        // Pages are pipelined: the next page is priced (CPU here) while up to two earlier pages are
        // written, each in its own transaction on its own connection (work in Postgres).
        const writing = new Set<Promise<void>>();
        const failures: unknown[] = [];
        let stopped = false;
        const write = async (first: ComputedInvoice[]) => {
          let computed = first;
          const ids = await withLedgerRetry(async () => {
            try {
              return await store(computed, actor);
            } catch (err) {
              // priced on a billed state that has moved on: price the page again for the next attempt
              if (isLedgerStepTaken(err))
                computed = await compute(
                  first.map((c) => ({ id: c.accountId, freeTier: c.freeTier })),
                  period,
                );
              throw err;
            }
          });
          finalized += ids.size;
          already += computed.length - ids.size;
          for (const c of computed) if (ids.has(c.accountId)) amount = amount.plus(c.total);
        };
        try {
          // after a failed write, or once told to stop, no new page is started; the pages already
          // written are whole invoices
          while (failures.length === 0) {
            if (opts.signal?.aborted) {
              stopped = true;
              break;
            }
            const page = await repo.accountsForPeriod(periodEnd(period), after, runPage);
            if (page.length === 0) break;
            after = page.at(-1)!.id;
            const done = await repo.finalizedAccounts(
              page.map((a) => a.id),
              periodDate(period),
            );
            const todo = page.filter((a) => !done.has(a.id));
            already += page.length - todo.length;
            if (todo.length === 0) continue;
            const computed = await compute(todo, period);
            if (writing.size >= 2) await Promise.race(writing);
            if (failures.length > 0) break;
            // A failed write is kept, not thrown: nothing awaits it until the loop ends, and a rejection
            // nobody handles would take the whole api process down.
            const w: Promise<void> = write(computed)
              .catch((err: unknown) => void failures.push(err))
              .finally(() => writing.delete(w));
            writing.add(w);
          }
        } finally {
          await Promise.all(writing);
        }
        if (failures.length > 0) {
          deps.log.error(
            { period, err: failures[0], finalized },
            'invoice run failed; the pages written stand, a new run finishes the month',
          );
          throw failures[0];
        }
        if (stopped) deps.log.info({ period, finalized }, 'invoice run stopped (the api is stopping); the next run finishes the month');
        else deps.log.info({ period, finalized, already, ms: Math.round(performance.now() - started) }, 'invoice run finished');
        return { period, finalized, alreadyFinalized: already, total: formatMoney(amount) };
      });
      // Told to stop while another process ran this month: nothing was done here.
      return outcome ?? { period, finalized: 0, alreadyFinalized: 0, total: formatMoney(ZERO) };
    },

    /**
     * The closed months the finalizer should run: last month (every account gets its invoice), and any
     * earlier month, from the start of the price catalog, where some account has usage but no finalized
     * invoice (its run failed or never happened, or the account's first usage of it came after it was run).
     * Oldest first.
     */
    async dueMonths(): Promise<Period[]> {
      const current = periodOf(deps.clock.now());
      const start = await deps.pricing.catalogStart();
      if (start === null) return [];
      const unbilled = (await repo.monthsWithUnbilledUsage(periodDate(start), periodDate(current))).map(periodFromDate);
      const last = previousPeriod(current);
      return [...new Set([...unbilled, ...(last >= start ? [last] : [])])].sort();
    },

    /**
     * Invoices of one account, with the draft of the current month (or of the month asked for, while it
     * is not finalized) computed on the fly; or the stored invoices of all accounts for an admin.
     */
    async list(accountId: string | null, q: { period: Period | null; status: 'draft' | 'finalized' | 'void' | null; limit: number }) {
      const stored =
        q.status === 'draft'
          ? []
          : await withLines(
              await repo.listInvoices({
                accountId,
                period: q.period ? periodDate(q.period) : null,
                status: q.status,
                limit: q.limit,
              }),
            );
      const drafts: InvoiceDto[] = [];
      if (accountId !== null && (q.status === null || q.status === 'draft')) {
        const draft = await draftOf(accountId, q.period ?? periodOf(deps.clock.now()));
        if (draft) drafts.push(draft);
      }
      // newest month first; within a month a draft (computed now) comes after its void predecessors
      return [...stored, ...drafts].sort((a, b) => b.period.localeCompare(a.period)).slice(0, q.limit);
    },

    get,

    async void(id: string, actor: string, reason: string) {
      if (parseDraftId(id)) throw new AppError('CONFLICT', 409, `Invoice ${id} is a draft: only a finalized invoice can be voided`);
      await visible(null, id);
      await withLedgerRetry(() =>
        deps.db.transaction().execute(async (tx) => {
          const inv = (await repo.lockInvoice(tx, id))!;
          if (inv.status !== 'finalized')
            throw new AppError('CONFLICT', 409, `Invoice ${id} is ${inv.status}: only a finalized invoice can be voided`);
          const standing = await repo.standingBilling(tx, inv.accountId, inv.id);
          const own = standing.find((e) => e.kind === 'month');
          const later = own ? await repo.standingAdjusters(tx, inv.accountId, inv.period, own.seq) : [];
          if (later.length > 0) {
            throw new AppError(
              'CONFLICT',
              409,
              `Later invoices (${later.join(', ')}) billed late usage of ${periodFromDate(inv.period)}; void them first`,
            );
          }
          await repo.markVoid(tx, id, reason, deps.clock.now());
          // hand back exactly what this invoice billed, month by month: the next invoice bills it again
          await repo.appendLedger(
            tx,
            standing.map(({ seq, kind, added, head }) => ({
              accountId: inv.accountId,
              period: head.period,
              seq: head.seq + 1,
              fromSeq: head.seq,
              kind: 'release',
              invoiceId: id,
              releasesSeq: seq,
              monthInvoiceId: kind === 'month' ? null : head.monthInvoiceId,
              requests: head.requests - added.requests,
              x86MbMs: head.x86MbMs - added.x86MbMs,
              armMbMs: head.armMbMs - added.armMbMs,
              ephemeralMbMs: head.ephemeralMbMs - added.ephemeralMbMs,
              amount: formatMoney(new Money(head.amount).minus(added.amount)),
              priceVersionId: head.priceVersionId,
              freeTier: head.freeTier,
            })),
          );
          await deps.audit.record(tx, [
            { actor, action: 'invoice.voided', accountId: inv.accountId, subject: id, reason, details: { total: inv.total } },
          ]);
        }),
      );
      return (await withLines([(await repo.findInvoice(id))!]))[0]!;
    },

    /** The rollup hours behind one line (and on request the invocations), so any amount can be explained. */
    async lineUsage(accountId: string | null, invoiceId: string, lineId: string, opts: { invocations: boolean; limit: number }) {
      const inv = await get(accountId, invoiceId);
      const line = inv.lines.find((l) => l.id === lineId);
      if (!line) throw new AppError('NOT_FOUND', 404, `Line ${lineId} is not on invoice ${invoiceId}`);
      const period = line.adjustsPeriod ?? inv.period;
      const range = {
        accountId: inv.accountId,
        from: periodStart(period),
        to: periodEnd(period),
        architecture: line.kind === 'compute' ? line.architecture : null,
        ephemeralOnly: line.kind === 'ephemeral_storage',
      };
      const hours = await repo.rollupsFor(range);
      const invocations = opts.invocations ? await repo.invocationsFor({ ...range, limit: opts.limit }) : null;
      // The hours are the month as it stands now: usage that arrived after this invoice was finalized is in them,
      // billed by later invoices' adjustments. What this invoice itself billed is its ledger step.
      const step = inv.status === 'draft' ? null : await repo.billedStep(inv.accountId, periodDate(period), inv.id);
      return {
        invoiceId: inv.id,
        lineId,
        period,
        billed: step
          ? {
              asOf: step.created_at.toISOString(),
              requests: Number(step.requests),
              x86GbSeconds: formatDecimal(mbMsToGbSeconds(step.x86_mb_ms)),
              armGbSeconds: formatDecimal(mbMsToGbSeconds(step.arm_mb_ms)),
              ephemeralGbSeconds: formatDecimal(mbMsToGbSeconds(step.ephemeral_mb_ms)),
              laterInvoices: step.later,
            }
          : null,
        hours: hours.map((h) => ({
          hour: h.hour.toISOString(),
          functionId: h.function_id,
          architecture: h.architecture,
          requests: Number(h.requests),
          billedMs: Number(h.billed_ms),
          gbSeconds: formatDecimal(mbMsToGbSeconds(h.mb_ms)),
          initGbSeconds: formatDecimal(mbMsToGbSeconds(h.init_mb_ms)),
          ephemeralGbSeconds: formatDecimal(mbMsToGbSeconds(h.ephemeral_mb_ms)),
          initEphemeralGbSeconds: formatDecimal(mbMsToGbSeconds(h.init_ephemeral_mb_ms)),
        })),
        ...(invocations
          ? {
              invocations: invocations.map((i) => ({
                invocationId: i.invocation_id,
                functionId: i.function_id,
                architecture: i.architecture,
                startedAt: i.started_at.toISOString(),
                billedMs: Number(i.billed_ms),
                memoryMb: i.memory_mb,
                status: i.status,
              })),
            }
          : {}),
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
        requests: scale(usage.requests),
        x86MbMs: scale(usage.x86MbMs),
        armMbMs: scale(usage.armMbMs),
        x86InitMbMs: scale(usage.x86InitMbMs),
        armInitMbMs: scale(usage.armInitMbMs),
        ephemeralMbMs: scale(usage.ephemeralMbMs),
        ephemeralInitMbMs: scale(usage.ephemeralInitMbMs),
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
        // The adjusted month as invoices write it ('2026-10'), not as the SQL date it is kept as.
        lines: sofar!.lines.map((l) => ({ ...l, adjustsPeriod: l.adjustsPeriod ? periodFromDate(l.adjustsPeriod) : null })),
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
