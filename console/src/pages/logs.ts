import { ApiError, type LogEvent, type LogQuery } from '../api.js';
import { field, h, replace, select } from '../dom.js';
import { dateTime, int } from '../format.js';
import type { PageContext } from '../page.js';
import { busy, errorText, statusLine } from '../ui.js';

const RANGES: [string, string][] = [
  ['900', 'Last 15 minutes'],
  ['3600', 'Last hour'],
  ['86400', 'Last 24 hours'],
  ['604800', 'Last 7 days'],
  ['2592000', 'Last 30 days'],
];

/**
 * A live tail keeps this many lines, the newest: a chatty function (or the range's replay) would otherwise
 * grow the page until the tab runs out of memory. Search pages further back.
 */
const TAIL_LINES = 1000;

/** The api has no logs route (an older server): said once, plainly, instead of an error per search. */
const unavailable = (err: unknown) => err instanceof ApiError && err.status === 404 && err.code === 'ROUTE_NOT_FOUND';

export async function logsPage(ctx: PageContext) {
  const functions = await ctx.api.listFunctions();
  const wanted = ctx.query.get('function') ?? functions[0]?.name ?? '';
  const fn = select(
    'function',
    functions.map((f) => f.name),
    wanted,
  );
  const range = select('range', RANGES, ctx.query.get('requestId') ? '86400' : '3600');
  const filter = h('input', { name: 'filter', type: 'search', autocomplete: 'off' });
  const requestId = h('input', { name: 'requestId', autocomplete: 'off', value: ctx.query.get('requestId') ?? undefined });
  const search = h('button', { type: 'submit' }, 'Search');
  const follow = h('button', { type: 'button', class: 'secondary', 'aria-pressed': 'false' }, 'Live tail');
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Load more');
  const status = statusLine();
  const lines = h('ol', { class: 'log-lines', role: 'log', 'aria-live': 'polite', 'aria-label': 'Log lines', tabindex: 0 });
  let cursor: string | null = null;
  /** The search the list shows: 'Load more' goes on with it, whatever the form or the clock says since. */
  let searched: { name: string; query: LogQuery } | null = null;
  let tail: AbortController | null = null;

  const line = (e: LogEvent) =>
    h(
      'li',
      null,
      h('time', { datetime: e.timestamp }, dateTime(e.timestamp)),
      ' ',
      h('span', { class: 'rid' }, (e.requestId ?? '—').slice(0, 8)),
      ' ',
      h('span', { class: 'msg' }, e.message),
    );
  const query = () => ({
    from: new Date(Date.now() - Number(range.value) * 1000).toISOString(),
    filter: filter.value.trim() || undefined,
    requestId: requestId.value.trim() || undefined,
    limit: 200,
  });

  /** Each search (or tail) started supersedes the ones in flight: a slower answer must not replace the list. */
  let latest = 0;
  const load = async (append: boolean) => {
    if (!fn.value) return 'No function to search: deploy one first.';
    const mine = ++latest;
    if (!append || !searched) searched = { name: fn.value, query: query() };
    const page = await ctx.api.logs(searched.name, { ...searched.query, cursor: append ? (cursor ?? undefined) : undefined });
    if (mine !== latest) return status.textContent;
    if (!append) replace(lines);
    lines.append(...page.events.map(line));
    cursor = page.nextCursor;
    more.hidden = !cursor;
    return `${lines.children.length} line${lines.children.length === 1 ? '' : 's'}${cursor ? ', more available' : ''}.`;
  };
  const guarded = (append: boolean) => async () => {
    try {
      return await load(append);
    } catch (err) {
      if (unavailable(err)) return 'This server keeps no searchable logs yet: use the log tail on a function’s Invoke.';
      throw err;
    }
  };

  const stopTail = () => {
    tail?.abort();
    tail = null;
    follow.setAttribute('aria-pressed', 'false');
    follow.textContent = 'Live tail';
  };
  ctx.signal.addEventListener('abort', stopTail);
  follow.addEventListener('click', () => {
    if (tail) {
      stopTail();
      status.textContent = 'Live tail stopped.';
      return;
    }
    if (!fn.value) return;
    latest++;
    const mine = new AbortController();
    tail = mine;
    follow.setAttribute('aria-pressed', 'true');
    follow.textContent = 'Stop live tail';
    status.className = 'status';
    status.textContent = `Following ${fn.value}…`;
    // The server replays the range's stored lines, then follows, each line once: the list starts over.
    const { from, filter: f, requestId: r } = query();
    const name = fn.value;
    let dropped = false;
    replace(lines);
    more.hidden = true;
    ctx.api
      .followLogs(
        name,
        { from, filter: f, requestId: r },
        (e) => {
          lines.append(line(e));
          if (lines.childElementCount > TAIL_LINES) {
            lines.firstElementChild?.remove();
            if (!dropped && tail === mine) {
              dropped = true;
              status.textContent = `Following ${name}: the newest ${int(TAIL_LINES)} lines are shown, older lines are dropped (search to page back).`;
            }
          }
          lines.scrollTop = lines.scrollHeight;
        },
        mine.signal,
      )
      .then(() => {
        if (tail === mine) status.textContent = 'Live tail ended.';
      })
      .catch((err) => {
        if (tail !== mine) return;
        status.className = 'status error';
        status.textContent = unavailable(err) ? 'This server cannot follow logs yet.' : errorText(err);
      })
      // A tail stopped and started again is a new one: this one only stops itself.
      .finally(() => tail === mine && stopTail());
  });

  const form = h(
    'form',
    { class: 'card filters', 'aria-label': 'Search logs' },
    field('Function', fn),
    field('Time range', range),
    field('Text filter', filter, 'Lines containing this text'),
    field('Request id', requestId),
    h('div', { class: 'actions' }, search, follow),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    stopTail();
    void busy(search, status, guarded(false));
  });
  fn.addEventListener('change', () => {
    stopTail();
    void busy(search, status, guarded(false));
  });
  more.addEventListener('click', () => void busy(more, status, guarded(true)));

  const section = h('section', null, h('h1', null, 'Logs'), form, status, lines, more);
  if (fn.value) void busy(search, status, guarded(false));
  return section;
}
