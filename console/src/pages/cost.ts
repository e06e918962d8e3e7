import { chart } from '../chart.js';
import { h, table } from '../dom.js';
import { dateTime, int, money, plot } from '../format.js';
import type { PageContext } from '../page.js';

export async function costPage(ctx: PageContext) {
  const c = await ctx.api.currentCost();
  const budgets = c.budgets.filter((b) => !b.functionId);
  const bars = [
    ['Month to date', c.total],
    ['Forecast', c.forecast.total],
    ...budgets.map((b) => [`Budget ${money(b.amount, c.currency)}`, b.amount]),
  ] as [string, string][];
  return h(
    'section',
    null,
    h('h1', null, `Cost, ${c.period}`),
    h('p', null, `As of ${dateTime(c.asOf)}, prices ${c.priceVersion}.`),
    h(
      'div',
      { class: 'numbers' },
      h('div', null, h('span', null, 'Month to date'), h('strong', { 'data-testid': 'cost-total' }, money(c.total, c.currency))),
      h('div', null, h('span', null, 'Month-end forecast'), h('strong', null, money(c.forecast.total, c.currency))),
      h(
        'div',
        null,
        h('span', null, 'Free tier left'),
        h(
          'strong',
          null,
          c.freeTier.enabled ? `${int(c.freeTier.requestsRemaining)} requests, ${c.freeTier.gbSecondsRemaining} GB-s` : 'no free tier',
        ),
      ),
    ),
    chart({
      title: 'This month',
      description: `Month to date ${money(c.total, c.currency)}, forecast ${money(c.forecast.total, c.currency)}${
        budgets.length ? `, against ${budgets.length} budget${budgets.length === 1 ? '' : 's'}` : ''
      }.`,
      x: bars.map((_, i) => i),
      xNames: bars.map(([name]) => name),
      series: [{ label: c.currency, values: bars.map(([, v]) => plot(v)) }],
      yLabel: c.currency,
      bars: true,
    }),
    table(
      'Month-to-date lines, free tier applied',
      ['Line', 'Quantity', 'Free', 'Billable', 'Unit price', 'Amount'],
      c.lines.map((l) => [l.description, l.quantity, l.freeQuantity, l.billableQuantity, l.unitPrice, money(l.amount, c.currency)]),
      'No charges this month.',
    ),
    c.freeTier.enabled
      ? table(
          'Free tier this month',
          ['', 'Used', 'Left'],
          [
            ['Requests', int(c.freeTier.requestsUsed), int(c.freeTier.requestsRemaining)],
            ['GB-seconds', c.freeTier.gbSecondsUsed, c.freeTier.gbSecondsRemaining],
          ],
        )
      : null,
    h('p', { class: 'hint' }, `Forecast method: ${c.forecast.method}.`),
  );
}
