import { facts, h, link, table } from '../dom.js';
import { dateTime, hour, int, money } from '../format.js';
import type { PageContext } from '../page.js';
import { busy, download, statusLine } from '../ui.js';

const invHref = (id: string) => `#/invoices/${encodeURIComponent(id)}`;

export async function invoicesPage(ctx: PageContext) {
  const list = await ctx.api.invoices();
  return h(
    'section',
    null,
    h('h1', null, 'Invoices'),
    table(
      'Invoices, with this month’s draft',
      ['Period', 'Status', 'Total', 'Finalized'],
      list.map((i) => [link(invHref(i.id), i.period), i.status, money(i.total, i.currency), dateTime(i.finalizedAt)]),
      'No invoices yet.',
    ),
  );
}

export async function invoicePage(ctx: PageContext, id: string) {
  const inv = await ctx.api.invoice(id);
  const status = statusLine();
  const csv = h('button', { type: 'button', class: 'secondary' }, 'Download CSV');
  const html = h('button', { type: 'button', class: 'secondary' }, 'Printable HTML');
  csv.addEventListener('click', () =>
    busy(csv, status, async () => {
      download(`invoice-${inv.period}-${inv.id}.csv`, 'text/csv', await ctx.api.invoiceCsv(inv.id));
      return 'CSV downloaded.';
    }),
  );
  // The printable invoice needs the key to fetch, so it is fetched here and opened from a blob.
  html.addEventListener('click', () => {
    const win = window.open('', '_blank');
    void busy(html, status, async () => {
      const text = await ctx.api.invoiceHtml(inv.id);
      const url = URL.createObjectURL(new Blob([text], { type: 'text/html' }));
      if (win) win.location.href = url;
      else download(`invoice-${inv.period}-${inv.id}.html`, 'text/html', text);
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      return win ? 'Printable invoice opened in a new tab.' : 'Printable invoice downloaded.';
    });
  });
  return h(
    'section',
    null,
    h('p', { class: 'crumbs' }, link('#/invoices', 'Invoices'), ' / ', inv.period),
    h('h1', null, `Invoice ${inv.period}`),
    facts([
      ['Status', inv.status],
      ['Total', money(inv.total, inv.currency)],
      ['Prices', inv.priceVersion],
      ['Finalized', dateTime(inv.finalizedAt)],
      // A void invoice is not owed: say when and why beside its total.
      ...(inv.voidedAt ? ([['Voided', `${dateTime(inv.voidedAt)}: ${inv.voidReason ?? ''}`]] as [string, string][]) : []),
      ['Id', h('code', null, inv.id)],
    ]),
    h('div', { class: 'actions' }, csv, html),
    status,
    table(
      'Lines (open one for the hours behind it)',
      ['Line', 'Quantity', 'Free', 'Billable', 'Unit price', 'Amount'],
      inv.lines.map((l) => [
        link(`${invHref(inv.id)}/lines/${encodeURIComponent(l.id)}`, l.description),
        l.quantity,
        l.freeQuantity,
        l.billableQuantity,
        l.unitPrice,
        money(l.amount, inv.currency),
      ]),
      'No lines.',
    ),
  );
}

export async function linePage(ctx: PageContext, id: string, lineId: string) {
  const [inv, usage] = await Promise.all([ctx.api.invoice(id), ctx.api.lineUsage(id, lineId)]);
  const line = inv.lines.find((l) => l.id === lineId);
  return h(
    'section',
    null,
    h('p', { class: 'crumbs' }, link('#/invoices', 'Invoices'), ' / ', link(invHref(inv.id), inv.period), ' / ', 'line'),
    h('h1', null, line?.description ?? 'Invoice line'),
    line
      ? facts([
          ['Quantity', line.quantity],
          ['Free', line.freeQuantity],
          ['Billable', line.billableQuantity],
          ['Unit price', line.unitPrice],
          ['Amount', money(line.amount, inv.currency)],
        ])
      : null,
    table(
      `Usage hours behind this line, ${usage.period}`,
      ['Hour (UTC)', 'Function', 'Architecture', 'Requests', 'Billed ms', 'GB-seconds', 'Init GB-s', 'Ephemeral GB-s'],
      usage.hours.map((u) => [
        hour(u.hour),
        u.functionId,
        u.architecture,
        int(u.requests),
        int(u.billedMs),
        u.gbSeconds,
        u.initGbSeconds,
        u.ephemeralGbSeconds,
      ]),
      'No usage hours behind this line.',
    ),
  );
}
