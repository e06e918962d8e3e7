import { toCsv } from '../../lib/csv.js';
import type { InvoiceDto } from './invoices.dto.js';

export function invoiceCsv(inv: InvoiceDto): string {
  return toCsv(
    [
      'invoice_id',
      'account_id',
      'period',
      'status',
      'price_version',
      'line',
      'kind',
      'architecture',
      'tier',
      'description',
      'quantity',
      'free_quantity',
      'billable_quantity',
      'unit_price',
      'amount',
      'currency',
    ],
    [
      ...inv.lines.map((l, i) => [
        inv.id,
        inv.accountId,
        inv.period,
        inv.status,
        inv.priceVersion,
        i + 1,
        l.kind,
        l.architecture,
        l.tier,
        l.description,
        l.quantity,
        l.freeQuantity,
        l.billableQuantity,
        l.unitPrice,
        l.amount,
        inv.currency,
      ]),
      [
        inv.id,
        inv.accountId,
        inv.period,
        inv.status,
        inv.priceVersion,
        '',
        'total',
        '',
        '',
        'Total',
        '',
        '',
        '',
        '',
        inv.total,
        inv.currency,
      ],
    ],
  );
}

const escapeHtml = (s: unknown) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const group = (n: string) => {
  const [whole = '', fraction] = n.split('.');
  const g = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? g : `${g}.${fraction}`;
};

const monthName = (period: string) =>
  new Date(`${period}-01T00:00:00Z`).toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** A self-contained printable page: no scripts, no external assets. */
export function invoiceHtml(inv: InvoiceDto, accountName: string): string {
  const rows = inv.lines
    .map(
      (l) =>
        `<tr><td>${escapeHtml(l.description)}</td><td class="n">${group(l.quantity)}</td><td class="n">${group(l.freeQuantity)}</td>` +
        `<td class="n">${group(l.billableQuantity)}</td><td class="n">${escapeHtml(l.unitPrice)}</td><td class="n">${group(l.amount)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Invoice ${escapeHtml(inv.period)} · ${escapeHtml(accountName)}</title>
<style>
  body { font: 14px/1.45 system-ui, sans-serif; color: #1a1a1a; max-width: 960px; margin: 2rem auto; padding: 0 1rem; }
  header { display: flex; justify-content: space-between; align-items: baseline; border-bottom: 2px solid #1a1a1a; margin-bottom: 1rem; }
  h1 { font-size: 1.6rem; margin: 0 0 .4rem; }
  .status { text-transform: uppercase; font-weight: 600; letter-spacing: .05em; padding: .1rem .5rem; border: 1px solid; border-radius: 4px; }
  .status.draft { color: #8a6d00; } .status.finalized { color: #1b6e2a; } .status.void { color: #a11; }
  dl { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; margin: 0 0 1.2rem; }
  dt { color: #666; } dd { margin: 0; }
  table { width: 100%; border-collapse: collapse; }
  th, td { padding: .45rem .5rem; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
  th { font-size: .8rem; color: #555; text-transform: uppercase; letter-spacing: .04em; }
  .n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  tfoot td { font-weight: 700; font-size: 1.1rem; border-bottom: none; border-top: 2px solid #1a1a1a; }
  footer { margin-top: 1.5rem; color: #666; font-size: .85rem; }
  @media print { body { margin: 0; } }
</style></head>
<body>
<header><h1>Tally invoice · ${escapeHtml(monthName(inv.period))}</h1><span class="status ${escapeHtml(inv.status)}">${escapeHtml(inv.status)}</span></header>
<dl>
  <dt>Account</dt><dd>${escapeHtml(accountName)} <small>(${escapeHtml(inv.accountId)})</small></dd>
  <dt>Period</dt><dd>${escapeHtml(inv.period)} (calendar month, UTC)</dd>
  <dt>Invoice</dt><dd>${escapeHtml(inv.id)}</dd>
  <dt>Price version</dt><dd>${escapeHtml(inv.priceVersion)}</dd>
  <dt>Free tier</dt><dd>${inv.freeTier ? 'applied' : 'not applied'}</dd>
  ${inv.finalizedAt ? `<dt>Finalized</dt><dd>${escapeHtml(inv.finalizedAt)}</dd>` : ''}
  ${inv.voidedAt ? `<dt>Voided</dt><dd>${escapeHtml(inv.voidedAt)}: ${escapeHtml(inv.voidReason)}</dd>` : ''}
</dl>
<table>
<thead><tr><th>Description</th><th class="n">Quantity</th><th class="n">Free</th><th class="n">Billable</th><th class="n">Unit price (${escapeHtml(inv.currency)})</th><th class="n">Amount (${escapeHtml(inv.currency)})</th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot><tr><td colspan="5">Total</td><td class="n">${escapeHtml(inv.currency)} ${group(inv.total)}</td></tr></tfoot>
</table>
<footer>Quantities: requests, or GB-seconds (MB-ms / 1024 / 1000). Each line is rounded half-up to the cent; the total is the sum of rounded lines.</footer>
</body></html>
`;
}
