import type { Alert, CreateBudget } from '../api.js';
import { facts, field, h, replace, select, table } from '../dom.js';
import { dateTime, money } from '../format.js';
import type { PageContext } from '../page.js';
import { busy, statusLine } from '../ui.js';

export async function budgetsPage(ctx: PageContext) {
  const [budgets, cost, alerts] = await Promise.all([ctx.api.budgets(), ctx.api.currentCost(), ctx.api.alerts()]);
  const spend = new Map(cost.budgets.map((b) => [b.id, b]));
  const status = statusLine();
  const detail = h('div', { 'aria-live': 'polite' });

  const remove = (id: string) => {
    const button = h('button', { type: 'button', class: 'secondary small' }, 'Delete');
    button.addEventListener('click', () => {
      if (!window.confirm('Delete this budget? Its alerts stay.')) return;
      void busy(button, status, async () => {
        await ctx.api.deleteBudget(id);
        ctx.navigate(`#/budgets?deleted=${Date.now()}`);
        return 'Budget deleted.';
      });
    });
    return button;
  };
  const showAlert = (a: Alert) => {
    const button = h('button', { type: 'button', class: 'link' }, `${a.threshold}% of ${money(a.amount)}`);
    button.addEventListener('click', () =>
      busy(button, status, async () => {
        const full = await ctx.api.alert(a.id);
        replace(
          detail,
          h('h2', { tabindex: -1, id: 'alert-detail' }, `Alert: ${full.threshold}% of ${money(full.amount)} (${full.period})`),
          facts([
            ['Spend', `${money(full.spend)} (${full.percent}%, ${full.basis})`],
            ['Raised', dateTime(full.createdAt)],
            ['Delivery', full.delivery.status],
            ['Delivered', dateTime(full.delivery.deliveredAt)],
            ['Last error', full.delivery.lastError ?? '—'],
          ]),
          table(
            'Webhook deliveries',
            ['At', 'URL', 'Status', 'Error', 'Duration'],
            (full.history ?? []).map((d) => [
              dateTime(d.at),
              d.url,
              d.statusCode === null ? '—' : String(d.statusCode),
              d.error ?? '—',
              `${d.durationMs} ms`,
            ]),
            'No delivery attempts (no webhook, or not yet sent).',
          ),
        );
        detail.querySelector<HTMLElement>('h2')?.focus();
        return null;
      }),
    );
    return button;
  };

  return h(
    'section',
    null,
    h('h1', null, 'Budgets and alerts'),
    table(
      `Budgets, ${cost.period}`,
      ['Amount', 'Scope', 'Basis', 'Thresholds', 'Spend', 'Forecast', 'Hard cap', ''],
      budgets.map((b) => {
        const s = spend.get(b.id);
        return [
          money(b.amount, b.currency),
          b.functionId ?? 'whole account',
          b.basis,
          b.thresholds.map((t) => `${t}%`).join(', '),
          s ? `${money(s.spend)} (${s.percent}%)` : '—',
          s ? `${money(s.forecast)} (${s.forecastPercent}%)` : '—',
          b.hardCap ? (s?.capped ? 'yes, capped now' : 'yes') : 'no',
          remove(b.id),
        ];
      }),
      'No budgets yet: create one below.',
    ),
    status,
    createForm(ctx),
    h('h2', null, 'Thresholds crossed'),
    table(
      'Alerts, newest first',
      ['Alert', 'Period', 'Spend', 'Basis', 'Raised', 'Delivery'],
      alerts.map((a) => [showAlert(a), a.period, `${money(a.spend)} (${a.percent}%)`, a.basis, dateTime(a.createdAt), a.delivery.status]),
      'No thresholds crossed.',
    ),
    detail,
  );
}

function createForm(ctx: PageContext) {
  const amount = h('input', {
    name: 'amount',
    required: true,
    inputmode: 'decimal',
    pattern: '[0-9]{1,12}(\\.[0-9]{1,2})?',
    placeholder: '50.00',
  });
  const thresholds = h('input', { name: 'thresholds', value: '50, 80, 100', pattern: '\\s*[0-9]+(\\s*,\\s*[0-9]+)*\\s*' });
  const basis = select(
    'basis',
    [
      ['actual', 'Actual spend'],
      ['forecast', 'Forecast'],
    ],
    'actual',
  );
  const functionId = h('input', { name: 'functionId', autocomplete: 'off' });
  const webhookUrl = h('input', { name: 'webhookUrl', type: 'url', placeholder: 'https://…' });
  const hardCap = h('input', { name: 'hardCap', type: 'checkbox', id: 'hard-cap' });
  const submit = h('button', { type: 'submit' }, 'Create budget');
  const status = statusLine();
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'budget-title' },
    h('h2', { id: 'budget-title' }, 'Create a monthly budget'),
    field('Amount (USD per month)', amount),
    field('Alert thresholds (%)', thresholds, 'Comma-separated percentages of the amount'),
    field('Basis', basis),
    field('Function (optional)', functionId, 'Only this function; empty for the whole account'),
    field('Webhook URL (optional)', webhookUrl, 'Alerts are POSTed here, signed'),
    h(
      'div',
      { class: 'field check' },
      hardCap,
      h('label', { for: 'hard-cap' }, 'Hard cap: refuse new invocations once spend reaches the amount'),
    ),
    submit,
    status,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void busy(submit, status, async () => {
      const created = await ctx.api.createBudget({
        amount: amount.value.trim(),
        thresholds: thresholds.value
          .split(',')
          .map((t) => Number(t.trim()))
          .filter((t) => t > 0),
        basis: basis.value as CreateBudget['basis'],
        functionId: functionId.value.trim() || undefined,
        webhookUrl: webhookUrl.value.trim() || undefined,
        hardCap: hardCap.checked,
      });
      ctx.announce(`Budget of ${money(created.amount)} created`);
      form.after(
        h(
          'div',
          { class: 'card notice', role: 'alert' },
          h('p', null, `Budget of ${money(created.amount)} created. Its webhook signing secret, shown this once:`),
          h('pre', { class: 'code' }, created.secret),
          h('a', { href: `#/budgets?created=${created.id}` }, 'Show it in the list (the secret will not be shown again)'),
        ),
      );
      return 'Budget created.';
    });
  });
  return form;
}
