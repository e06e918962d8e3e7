import { Money, formatDecimal, formatMoney } from '../../lib/money.js';
import { periodFromDate, type Period } from '../../lib/period.js';
import type { InvoiceRow, LineRow } from './invoices.repository.js';
import type { ComputedInvoice } from './invoices.service.js';

/** An invoice as the api shows it (JSON, and the CSV and HTML renderings). */
export type InvoiceDto = ReturnType<typeof invoiceDto>;

/**
 * A draft is never stored (reading an invoice writes nothing): its id names the account and month it is
 * computed from, so it can be read back without a row.
 */
const DRAFT_ID = /^draft_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_([0-9]{4}-(?:0[1-9]|1[0-2]))$/;

export function parseDraftId(id: string): { accountId: string; period: Period } | null {
  const m = DRAFT_ID.exec(id);
  return m ? { accountId: m[1]!, period: m[2]! } : null;
}

/** A draft line's id says what it bills, so it stays the same while usage arrives and positions shift. */
function draftLineId(l: LineRow): string {
  if (l.kind === 'compute') return `compute_${l.architecture}_${l.tier}`;
  if (l.kind === 'adjustment') return `adjustment_${periodFromDate(l.adjustsPeriod!)}`;
  return l.kind;
}

function lineDto(l: LineRow & { id: string }) {
  return {
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
    amount: formatMoney(new Money(l.amount)),
  };
}

export function invoiceDto(inv: InvoiceRow, lines: (LineRow & { id: string })[]) {
  return {
    id: inv.id,
    accountId: inv.accountId,
    period: periodFromDate(inv.period),
    status: inv.status,
    currency: inv.currency,
    total: formatMoney(new Money(inv.total)),
    priceVersion: inv.priceVersionId,
    freeTier: inv.freeTier,
    createdAt: inv.createdAt.toISOString(),
    updatedAt: inv.updatedAt.toISOString(),
    finalizedAt: inv.finalizedAt?.toISOString() ?? null,
    voidedAt: inv.voidedAt?.toISOString() ?? null,
    voidReason: inv.voidReason,
    lines: lines.map(lineDto),
  };
}

/** A draft as computed `at`: the same shape as a stored invoice, with ids that name what they are. */
export function draftDto(c: ComputedInvoice, at: Date): InvoiceDto {
  const iso = at.toISOString();
  return {
    id: `draft_${c.accountId}_${c.period}`,
    accountId: c.accountId,
    period: c.period,
    status: 'draft',
    currency: c.version.currency,
    total: formatMoney(c.total),
    priceVersion: c.version.id,
    freeTier: c.freeTier,
    createdAt: iso,
    updatedAt: iso,
    finalizedAt: null,
    voidedAt: null,
    voidReason: null,
    lines: c.lines.map((l) => lineDto({ ...l, id: draftLineId(l) })),
  };
}
