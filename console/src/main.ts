import 'uplot/dist/uPlot.min.css';
import './style.css';
import { ApiError, createApi } from './api.js';
import { h, replace } from './dom.js';
import type { Page, PageContext } from './page.js';
import { budgetsPage } from './pages/budgets.js';
import { costPage } from './pages/cost.js';
import { functionPage, functionsPage } from './pages/functions.js';
import { invoicePage, invoicesPage, linePage } from './pages/invoices.js';
import { logsPage } from './pages/logs.js';
import { signInPage } from './pages/signin.js';
import { errorBox } from './ui.js';
import { usagePage } from './pages/usage.js';
import { clearSession, loadSession } from './session.js';

/** Hash routes: the page's state is in the fragment, which never reaches a server log. */
const routes: [RegExp, Page][] = [
  [/^\/functions$/, functionsPage],
  [/^\/functions\/([^/]+)$/, functionPage],
  [/^\/logs$/, logsPage],
  [/^\/usage$/, usagePage],
  [/^\/cost$/, costPage],
  [/^\/invoices$/, invoicesPage],
  [/^\/invoices\/([^/]+)$/, invoicePage],
  [/^\/invoices\/([^/]+)\/lines\/([^/]+)$/, linePage],
  [/^\/budgets$/, budgetsPage],
];

const NAV: [string, string][] = [
  ['#/functions', 'Functions'],
  ['#/logs', 'Logs'],
  ['#/usage', 'Usage'],
  ['#/cost', 'Cost'],
  ['#/invoices', 'Invoices'],
  ['#/budgets', 'Budgets'],
];

const root = document.getElementById('app')!;
const live = h('div', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite', id: 'announcer' });
const main = h('main', { id: 'main', tabindex: -1 });
const nav = h('nav', { 'aria-label': 'Console' });
const header = h('header', { class: 'top' });
const skip = h('a', { class: 'skip', href: '#main' }, 'Skip to content');
skip.addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
});
root.append(skip, header, main, live);

/** Stops whatever the previous page left running (a live log tail) when the route changes. */
let leave: AbortController | null = null;

function announce(message: string) {
  live.textContent = '';
  // A fresh text node after a tick is read out even when the same message repeats.
  setTimeout(() => {
    live.textContent = message;
  }, 30);
}

function parseHash(): { path: string; query: URLSearchParams } {
  const raw = location.hash.replace(/^#/, '') || '/functions';
  const [path = '/functions', query = ''] = raw.split('?');
  return { path, query: new URLSearchParams(query) };
}

function renderHeader(accountName: string | null, path: string) {
  replace(
    header,
    h('span', { class: 'brand' }, 'Tally'),
    accountName
      ? [
          h(
            'button',
            { type: 'button', class: 'menu-toggle', 'aria-expanded': 'false', 'aria-controls': 'nav-list', onclick: toggleMenu },
            'Menu',
          ),
          nav,
          h('span', { class: 'who' }, accountName),
          h('button', { type: 'button', class: 'secondary', onclick: signOut }, 'Sign out'),
        ]
      : null,
  );
  replace(
    nav,
    h(
      'ul',
      { id: 'nav-list' },
      NAV.map(([href, text]) => h('li', null, h('a', { href, 'aria-current': path.startsWith(href.slice(1)) ? 'page' : undefined }, text))),
    ),
  );
}

function toggleMenu(e: Event) {
  const button = e.currentTarget as HTMLButtonElement;
  const open = button.getAttribute('aria-expanded') !== 'true';
  button.setAttribute('aria-expanded', String(open));
  nav.classList.toggle('open', open);
}

function signOut() {
  leave?.abort();
  clearSession();
  location.hash = '#/functions';
  void render();
}

/** The api refused the key (revoked, expired): back to sign-in, once, whichever call met it first. */
function refused(key: string) {
  if (loadSession()?.key !== key) return;
  leave?.abort();
  clearSession();
  announce('Your key was refused; sign in again.');
  void render();
}

async function render() {
  leave?.abort();
  leave = new AbortController();
  const session = loadSession();
  const { path, query } = parseHash();
  renderHeader(session?.accountName ?? null, path);
  nav.classList.remove('open');
  if (!session) {
    replace(main, signInPage({ announce, done: () => void render() }));
    main.querySelector<HTMLElement>('h1')?.focus();
    return;
  }
  const ctx: PageContext = {
    api: createApi(session.key, { onUnauthorized: () => refused(session.key) }),
    session,
    query,
    announce,
    signal: leave.signal,
    navigate: (hash) => {
      location.hash = hash;
    },
  };
  const match = routes.map(([re, page]) => [re.exec(path), page] as const).find(([m]) => m);
  replace(main, h('p', { class: 'loading' }, 'Loading…'));
  try {
    const node = match ? await match[1](ctx, ...match[0]!.slice(1).map(decodeURIComponent)) : h('h1', { tabindex: -1 }, 'Page not found');
    if (ctx.signal.aborted) return;
    replace(main, node);
  } catch (err) {
    // A refused key has already signed out (the api's onUnauthorized).
    if (ctx.signal.aborted || (err instanceof ApiError && err.status === 401)) return;
    replace(main, h('h1', { tabindex: -1 }, 'Something went wrong'), errorBox(err));
  }
  const heading = main.querySelector<HTMLElement>('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
    document.title = `${heading.textContent} · Tally console`;
  }
}

window.addEventListener('hashchange', () => void render());
void render();
