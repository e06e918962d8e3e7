import type { UsageAnswer } from '../api.js';
import { chart } from '../chart.js';
import { field, h, replace, select, table } from '../dom.js';
import { count, day, int, plot } from '../format.js';
import type { PageContext } from '../page.js';
import { busy, statusLine } from '../ui.js';

const RANGES: [string, string][] = [
  ['7', 'Last 7 days'],
  ['30', 'Last 30 days'],
  ['month', 'This month'],
  ['90', 'Last 90 days'],
];
const DAY_MS = 86_400_000;

function rangeOf(value: string): { from: string; to: string } {
  const now = new Date();
  const tomorrow = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  const from = value === 'month' ? Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) : tomorrow - Number(value) * DAY_MS;
  return { from: new Date(from).toISOString(), to: new Date(tomorrow).toISOString() };
}

/** Per function, per day: the charts' series (GB-seconds as floats for drawing only) and the tables. */
function shape(u: UsageAnswer) {
  const days: number[] = [];
  for (let t = Date.parse(u.from); t < Date.parse(u.to); t += DAY_MS) days.push(t / 1000);
  const index = new Map(days.map((d, i) => [d, i]));
  const names = [...new Set(u.buckets.map((b) => b.functionId ?? '(unknown)'))].sort();
  const requests = new Map(names.map((n) => [n, days.map(() => 0 as number | null)]));
  const gbs = new Map(names.map((n) => [n, days.map(() => 0 as number | null)]));
  const totals = new Map(names.map((n) => [n, { requests: 0, errors: 0, billedMs: 0 }]));
  for (const b of u.buckets) {
    const name = b.functionId ?? '(unknown)';
    const i = index.get(Date.parse(b.start) / 1000);
    if (i !== undefined) {
      requests.get(name)![i] = b.requests;
      gbs.get(name)![i] = plot(b.gbSeconds);
    }
    const t = totals.get(name)!;
    t.requests += b.requests;
    t.errors += b.errors + b.timeouts;
    t.billedMs += b.billedMs;
  }
  return { days, names, requests, gbs, totals };
}

export async function usagePage(ctx: PageContext) {
  const range = select('range', RANGES, ctx.query.get('range') ?? '30');
  const show = h('button', { type: 'submit' }, 'Show');
  const status = statusLine();
  const body = h('div');
  /** The range chosen last wins: a slower answer for an earlier choice is dropped, not shown under the new label. */
  let latest = 0;
  const load = async () => {
    const mine = ++latest;
    const chosen = range.value;
    const u = await ctx.api.usage({ ...rangeOf(chosen), granularity: 'day', groupBy: 'function' });
    if (mine !== latest) return status.textContent;
    const s = shape(u);
    const label = RANGES.find(([v]) => v === chosen)?.[1] ?? '';
    replace(
      body,
      h(
        'div',
        { class: 'numbers' },
        h('div', null, h('span', null, 'Requests'), h('strong', null, int(u.totals.requests))),
        h('div', null, h('span', null, 'GB-seconds'), h('strong', null, u.totals.gbSeconds)),
        h('div', null, h('span', null, 'Errors and timeouts'), h('strong', null, int(u.totals.errors + u.totals.timeouts))),
      ),
      chart({
        title: 'Requests per day',
        description: `${label}: ${count(u.totals.requests, 'request')} across ${count(s.names.length, 'function')}; figures in the table below.`,
        x: s.days,
        series: s.names.map((n) => ({ label: n, values: s.requests.get(n)! })),
        yLabel: 'requests',
      }),
      chart({
        title: 'GB-seconds per day',
        description: `${label}: ${u.totals.gbSeconds} GB-seconds; figures in the table below.`,
        x: s.days,
        series: s.names.map((n) => ({ label: n, values: s.gbs.get(n)! })),
        yLabel: 'GB-s',
      }),
      table(
        `Per function, ${label.toLowerCase()}`,
        ['Function', 'Requests', 'Errors', 'Billed ms'],
        s.names.map((n) => {
          const t = s.totals.get(n)!;
          return [n, int(t.requests), int(t.errors), int(t.billedMs)];
        }),
        'No usage in this range.',
      ),
      table(
        'Per day and function',
        ['Day', 'Function', 'Requests', 'GB-seconds', 'Errors', 'Timeouts'],
        u.buckets.map((b) => [day(b.start), b.functionId ?? '—', int(b.requests), b.gbSeconds, int(b.errors), int(b.timeouts)]),
        'No usage in this range.',
      ),
    );
    return `Usage for ${label.toLowerCase()}: ${count(u.totals.requests, 'request')}.`;
  };
  const form = h(
    'form',
    { class: 'card filters', 'aria-label': 'Usage range' },
    field('Range', range),
    h('div', { class: 'actions' }, show),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void busy(show, status, load);
  });
  range.addEventListener('change', () => void busy(show, status, load));
  await busy(show, status, load);
  return h('section', null, h('h1', null, 'Usage'), form, status, body);
}
