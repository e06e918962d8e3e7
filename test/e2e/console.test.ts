import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, newTenant, postUsage, usageEvent } from '../helpers/app.js';
import { call, makeZip, useFunctionsApp } from '../helpers/functions.js';
import { buildConsoleFirst, launchChromium } from '../helpers/browser.js';

// The console end to end in a real browser (Debian's chromium, driven by playwright-core; never a
// downloaded browser): sign in, deploy, invoke, log tail, usage chart, cost, invoice line down to
// its hours, budgets, a narrow screen. A screenshot of each page lands in test/artifacts/console/.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = join(ROOT, 'test', 'artifacts', 'console');
// Built before the app is (buildApp looks for console/dist once); a no-op when up to date.
buildConsoleFirst();
const t = useFunctionsApp();

const HELLO = `
exports.handler = async (event) => {
  console.log('hello from the console test', JSON.stringify(event));
  return { greeting: 'hi', got: event };
};
`;

/** The previous calendar month (UTC): its usage is invoiced by the run in setup. */
function lastMonth() {
  const now = new Date();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return { period: start.toISOString().slice(0, 7), hour: new Date(start.getTime() + 2 * 86_400_000 + 10 * 3_600_000) };
}

/** Invocations of `hello` made by the test (the usage page must count them all). */
let invocations = 1;
let context: BrowserContext;
let page: Page;
let closeBrowser: (() => Promise<void>) | undefined;
let tenant: Awaited<ReturnType<typeof newTenant>>;
const outside: string[] = [];
const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
// Page-side code is passed as strings: this file is type-checked without the DOM library.
const heading = (text: string | RegExp) => page.getByRole('heading', { level: 1, name: text });

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  tenant = await newTenant(t.app);
  // Last month's usage, invoiced by an admin run: a finalized invoice whose line has hours behind it.
  const { period, hour } = lastMonth();
  const events = [0, 1, 2].map((i) =>
    usageEvent(tenant.id, {
      functionId: 'billed-fn',
      memoryMb: 1024,
      durationMs: 1500 + i,
      startedAt: new Date(hour.getTime() + i * 60_000).toISOString(),
    }),
  );
  const posted = await postUsage(t.app, tenant.executorKey, events);
  expect(posted.json()).toMatchObject({ accepted: 3 });
  const run = await t.app.inject({ method: 'POST', url: '/v1/invoices/run', headers: admin, payload: { period } });
  expect(run.statusCode).toBe(200);

  ({ context, close: closeBrowser } = await launchChromium('tally-console-browser', {
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  }));
  context.on('request', (r) => {
    if (!r.url().startsWith(t.base) && !r.url().startsWith('blob:') && !r.url().startsWith('data:') && r.url() !== 'about:blank')
      outside.push(r.url());
  });
  page = context.pages()[0] ?? (await context.newPage());
}, 60_000);

afterAll(async () => closeBrowser?.());

describe('the web console, in a real browser', () => {
  it('is served at /console as HTML, with its assets, and asks for a key', async () => {
    const res = await fetch(`${t.base}/console`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");

    await page.goto(`${t.base}/console`);
    await expect(heading('Sign in to Tally').isVisible()).resolves.toBe(true);
    await shot('01-sign-in');
    await page.getByLabel('Account key').fill('tly_acc_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That key was not accepted.').waitFor();
    expect(await page.getByLabel('Account key').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Account key').fill(tenant.accountKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Functions').waitFor();
    // The key is in this tab's session storage, never in the address.
    expect(page.url()).not.toContain(tenant.accountKey);
    expect(await page.evaluate<unknown>("sessionStorage.getItem('tally.key')")).toBe(tenant.accountKey);
    expect(await page.evaluate<unknown>('localStorage.length')).toBe(0);
  });

  it('deploys a zip and invokes it with a JSON event, showing the result and the log tail', async () => {
    await page.getByLabel('Function name').fill('hello');
    await page.getByLabel('Code (.zip)').setInputFiles({
      name: 'hello.zip',
      mimeType: 'application/zip',
      buffer: makeZip([{ name: 'index.js', data: HELLO }]),
    });
    await shot('02-functions');
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await heading('hello').waitFor();
    await expect(page.getByRole('region', { name: 'Versions, oldest first' }).innerText()).resolves.toContain('nodejs');

    const editor = page.getByLabel('Event (JSON)');
    await editor.fill('{ "who": ');
    expect(await editor.getAttribute('aria-invalid')).toBe('true');
    await expect(page.getByText(/^Not valid JSON/).isVisible()).resolves.toBe(true);
    await editor.fill('{ "who": "the console" }');
    expect(await editor.getAttribute('aria-invalid')).toBeNull();
    await page.getByRole('button', { name: 'Invoke', exact: true }).click();
    const result = page.getByTestId('invoke-result');
    await result.waitFor({ timeout: 20_000 });
    expect(JSON.parse(await result.innerText())).toEqual({ greeting: 'hi', got: { who: 'the console' } });
    const tail = await page.getByTestId('log-tail').innerText();
    expect(tail).toContain('hello from the console test {"who":"the console"}');
    expect(tail).toMatch(/REPORT RequestId: [0-9a-f-]{36}/);
    // Announced a tick after the result is drawn (so a screen reader reads a repeated message again).
    await expect.poll(() => page.locator('#announcer').innerText(), { timeout: 5_000, interval: 20 }).toBe('Invocation succeeded');
    await shot('03-function-invoked');
  });

  it('searches the logs (or says plainly that this server keeps none)', async () => {
    await page.getByRole('link', { name: "Search hello's logs" }).click();
    await heading('Logs').waitFor();
    const status = page.locator('section > p.status');
    const settled = async () => {
      // Polled from here: a string predicate in the page is an eval, which the console's CSP refuses.
      await expect
        .poll(async () => ((await status.count()) > 0 ? await status.innerText() : ''), { timeout: 20_000, interval: 50 })
        .not.toContain('Working');
      return status.innerText();
    };
    // Log lines are shipped in batches after the invocation: search again until they are there.
    let said = await settled();
    for (let i = 0; i < 40 && !/keeps no searchable logs/.test(said); i++) {
      if ((await page.locator('.log-lines').innerText()).includes('hello from the console test')) break;
      await page.waitForTimeout(250);
      await page.getByRole('button', { name: 'Search' }).click();
      said = await settled();
    }
    if (/keeps no searchable logs/.test(said)) {
      expect(await page.locator('.log-lines li').count()).toBe(0);
    } else {
      const lines = page.getByRole('log', { name: 'Log lines' });
      await expect(lines.innerText()).resolves.toContain('hello from the console test {"who":"the console"}');
      await expect(lines.innerText()).resolves.toMatch(/REPORT RequestId/);
      // Live tail: a line written after it started arrives without searching again.
      await page.getByRole('button', { name: 'Live tail' }).click();
      const stop = page.getByRole('button', { name: 'Stop live tail' });
      expect(await stop.getAttribute('aria-pressed')).toBe('true');
      await page.waitForTimeout(300);
      const tailed = await call(t.base, tenant.accountKey, 'POST', '/v1/functions/hello/invoke', { who: 'the tail' });
      expect(tailed.status).toBe(200);
      invocations++;
      await page.locator('.log-lines li', { hasText: '{"who":"the tail"}' }).first().waitFor({ timeout: 20_000 });
      // The range's lines replayed once, then the new one: nothing twice.
      expect(await page.locator('.log-lines li', { hasText: '{"who":"the console"}' }).count()).toBe(1);
      expect(await page.locator('.log-lines li', { hasText: '{"who":"the tail"}' }).count()).toBe(1);
      await stop.click();
      await page.getByText('Live tail stopped.').waitFor();
    }
    await shot('04-logs');
  });

  it('charts the usage just made, per day and per function', async () => {
    await page.getByRole('link', { name: 'Usage' }).click();
    await heading('Usage').waitFor();
    // The executor reports usage a moment after the invocation: reload until it is there.
    const perFunction = page.getByRole('region', { name: /^Per function/ });
    for (let i = 0; i < 40 && !(await perFunction.isVisible()); i++) {
      await page.waitForTimeout(250);
      await page.getByRole('button', { name: 'Show' }).click();
    }
    const requests = () => perFunction.innerText();
    for (let i = 0; i < 40 && !new RegExp(`hello\\s+${invocations}\\s+0`).test(await requests()); i++) {
      await page.waitForTimeout(250);
      await page.getByRole('button', { name: 'Show' }).click();
    }
    await expect(requests()).resolves.toMatch(new RegExp(`hello\\s+${invocations}\\s+0`));
    const charts = page.locator('figure.chart');
    expect(await charts.count()).toBe(2);
    expect(await charts.first().getAttribute('aria-label')).toContain(
      `${invocations === 1 ? '1 request' : `${invocations} requests`} across 1 function;`,
    );
    await charts.first().locator('canvas').waitFor();
    // uPlot's legend names the series: the function just invoked.
    await expect(charts.first().locator('.u-legend').innerText()).resolves.toContain('hello');
    await page.getByLabel('Range', { exact: true }).selectOption('7');
    await page.getByText(`Usage for last 7 days: ${invocations === 1 ? '1 request' : `${invocations} requests`}.`).waitFor();
    await shot('05-usage');
  });

  it('shows the month-to-date cost, the forecast and the free tier left', async () => {
    await page.getByRole('link', { name: 'Cost' }).click();
    await heading(/^Cost, \d{4}-\d{2}$/).waitFor();
    await expect(page.getByTestId('cost-total').innerText()).resolves.toMatch(/^\$\d+\.\d+$/);
    await expect(page.locator('.numbers').innerText()).resolves.toMatch(/Free tier left\s+999,99\d requests/);
    await page.locator('figure.chart canvas').waitFor();
    await shot('06-cost');
  });

  it('opens an invoice, one of its lines down to its usage hours, its CSV and its printable HTML', async () => {
    const { period, hour } = lastMonth();
    await page.getByRole('link', { name: 'Invoices' }).click();
    await heading('Invoices').waitFor();
    await shot('07-invoices');
    await page.getByRole('link', { name: period, exact: true }).click();
    await heading(`Invoice ${period}`).waitFor();
    await expect(page.locator('.facts').innerText()).resolves.toContain('finalized');
    await shot('08-invoice');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toContain(period);
    const [printable] = await Promise.all([context.waitForEvent('page'), page.getByRole('button', { name: 'Printable HTML' }).click()]);
    await printable.waitForLoadState();
    await expect.poll(() => printable.title(), { timeout: 20_000, interval: 50 }).toMatch(/^Invoice/);
    expect(await printable.title()).toContain(`Invoice ${period}`);
    await printable.close();

    const lines = page.getByRole('region', { name: /^Lines/ });
    await lines
      .getByRole('link', { name: /request/i })
      .first()
      .click();
    const hours = page.getByRole('region', { name: /^Usage hours behind this line/ });
    await hours.waitFor();
    const text = await hours.innerText();
    expect(text).toContain(`${hour.toISOString().slice(0, 10)} ${hour.toISOString().slice(11, 16)}`);
    expect(text).toMatch(/billed-fn\s+x86_64\s+3\s+4,503/);
    await shot('09-invoice-line-hours');
  });

  it('creates a budget, shows its secret once, lists it, and shows the threshold its spend crossed', async () => {
    await page.getByRole('link', { name: 'Budgets' }).click();
    await heading('Budgets and alerts').waitFor();
    await page.getByLabel('Amount (USD per month)').fill('25.00');
    await page.getByLabel('Alert thresholds (%)').fill('50, 90');
    await page.getByRole('button', { name: 'Create budget' }).click();
    const notice = page.getByRole('alert').filter({ hasText: 'signing secret' });
    await notice.waitFor();
    expect(await notice.locator('pre').innerText()).toMatch(/\S{16,}/);
    await notice.getByRole('link').click();
    const list = page.getByRole('region', { name: /^Budgets, / });
    await list.waitFor();
    await expect(list.innerText()).resolves.toMatch(/\$25\.00\s+whole account\s+actual\s+50%, 90%/);

    // Spend past half of it (no free tier, 100 invocations of 10 GB for 15 minutes: $15): the 50% threshold is crossed.
    const paying = await t.app.inject({
      method: 'PATCH',
      url: `/v1/accounts/${tenant.id}`,
      headers: admin,
      payload: { freeTier: false, reason: 'console test: cross a budget threshold' },
    });
    expect(paying.statusCode).toBe(200);
    const startedAt = new Date(Date.now() - 60_000).toISOString();
    const burn = Array.from({ length: 100 }, () =>
      usageEvent(tenant.id, { functionId: 'billed-fn', memoryMb: 10240, durationMs: 900_000, startedAt }),
    );
    expect((await postUsage(t.app, tenant.executorKey, burn)).json()).toMatchObject({ accepted: 100 });
    const alerts = page.getByRole('region', { name: 'Alerts, newest first' });
    for (let i = 0; i < 40 && !(await alerts.isVisible()); i++) {
      await page.waitForTimeout(250);
      await page.goto(`${t.base}/console#/budgets?poll=${i}`);
      await heading('Budgets and alerts').waitFor();
    }
    await page.getByRole('button', { name: '50% of $25.00' }).click();
    const detail = page.getByRole('heading', { level: 2, name: /^Alert: 50% of \$25\.00/ });
    await detail.waitFor();
    await expect(page.evaluate<unknown>('document.activeElement?.textContent')).resolves.toMatch(/^Alert: 50%/);
    await page.getByText('No delivery attempts (no webhook, or not yet sent).').waitFor();
    await shot('10-budgets');
  });

  it('works on a narrow screen with the keyboard, and never calls anything but its own origin', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(`${t.base}/console#/functions`);
    await heading('Functions').waitFor();
    const menu = page.getByRole('button', { name: 'Menu' });
    expect(await menu.isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: 'Usage' }).isVisible()).toBe(false);
    await menu.focus();
    await page.keyboard.press('Enter');
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await expect(page.evaluate<unknown>('document.activeElement?.textContent')).resolves.toBe('Logs');
    await page.keyboard.press('Enter');
    await heading('Logs').waitFor();
    await expect(page.evaluate<unknown>('document.activeElement?.tagName')).resolves.toBe('H1');
    // Nothing wider than the screen but the scrollable tables.
    expect(await page.evaluate<unknown>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await page.goto(`${t.base}/console#/functions`);
    await heading('Functions').waitFor();
    await shot('11-narrow-functions');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in to Tally').waitFor();
    expect(await page.evaluate<unknown>("sessionStorage.getItem('tally.key')")).toBeNull();
    expect(outside).toEqual([]);
  });
});
