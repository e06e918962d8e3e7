import { randomUUID } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, bearer, newTenant, postUsage, usageEvent } from '../helpers/app.js';
import { b64, injectDeploy, makeZip, NODE_ECHO, useFunctionsApp } from '../helpers/functions.js';
import { buildConsoleFirst, launchChromium } from '../helpers/browser.js';

// The console against what a busy account really has: a chatty function's log followed live, and
// the like. Debian's chromium through playwright-core, as test/e2e/console.test.ts launches it.

buildConsoleFirst();
const t = useFunctionsApp({ executor: false });

let context: BrowserContext;
let closeBrowser: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ context, close: closeBrowser } = await launchChromium('tally-console-bounds'));
}, 60_000);

afterAll(async () => closeBrowser?.());

/** A new page signed in with `key`, on `hash`. */
async function signedIn(key: string, hash: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${t.base}/console`);
  await page.getByLabel('Account key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Functions' }).waitFor();
  await page.goto(`${t.base}/console/${hash}`);
  return page;
}

/** A second account key of `accountId`, which the test revokes. */
async function extraKey(accountId: string) {
  const r = await t.app.inject({ method: 'POST', url: `/v1/accounts/${accountId}/keys`, headers: admin, payload: { role: 'account' } });
  expect(r.statusCode, r.body).toBe(201);
  const { id, key } = r.json() as { id: string; key: string };
  const revoke = async () => {
    const d = await t.app.inject({ method: 'DELETE', url: `/v1/keys/${id}`, headers: admin });
    expect(d.statusCode, d.body).toBe(200);
  };
  return { key, revoke };
}

/** `count` log lines of one invocation of `functionName`, reported as its executor would, `gapMs` apart up to now. */
async function postLines(executorKey: string, accountId: string, functionName: string, count: number, prefix: string, gapMs = 1) {
  const now = Date.now();
  const r = await t.app.inject({
    method: 'POST',
    url: '/v1/logs',
    headers: bearer(executorKey),
    payload: {
      invocations: [
        {
          requestId: randomUUID(),
          accountId,
          functionName,
          architecture: 'x86_64',
          memoryMb: 128,
          lines: Array.from({ length: count }, (_, i) => ({ seq: i, timestamp: now - (count - i) * gapMs, message: `${prefix} ${i}` })),
        },
      ],
    },
  });
  expect(r.statusCode, r.body).toBeLessThan(300);
}

describe('the console, with a busy account', () => {
  it('keeps a live tail to its newest lines instead of growing the page without bound', async () => {
    const tenant = await newTenant(t.app);
    await injectDeploy(t.app, tenant.accountKey, 'chatty');
    await postLines(tenant.executorKey, tenant.id, 'chatty', 2500, 'line');
    const page = await signedIn(tenant.accountKey, '#/logs?function=chatty');
    await page.getByRole('heading', { level: 1, name: 'Logs' }).waitFor();
    await page.getByRole('button', { name: 'Live tail' }).click();
    const lines = page.getByRole('log', { name: 'Log lines' }).locator('li');
    // The replay of the range ends with its newest line; then one more arrives while following.
    await lines.filter({ hasText: 'line 2499' }).waitFor({ timeout: 20_000 });
    await postLines(tenant.executorKey, tenant.id, 'chatty', 1, 'later');
    await lines.filter({ hasText: 'later 0' }).waitFor({ timeout: 20_000 });
    const count = await lines.count();
    expect(count).toBeLessThanOrEqual(1000);
    await expect(lines.first().textContent()).resolves.not.toContain('line 0');
    await page.getByText(/older lines/).waitFor();
    await page.close();
  }, 120_000);

  it('signs out when the key is revoked while a form is used, as it does when a page loads', async () => {
    const tenant = await newTenant(t.app);
    const { key, revoke } = await extraKey(tenant.id);
    const page = await signedIn(key, '#/budgets');
    await page.getByRole('heading', { level: 1, name: 'Budgets and alerts' }).waitFor();
    await revoke();
    await page.getByLabel('Amount (USD per month)').fill('10.00');
    await page.getByRole('button', { name: 'Create budget' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in to Tally' }).waitFor({ timeout: 10_000 });
    expect(await page.evaluate<unknown>("sessionStorage.getItem('tally.key')")).toBeNull();
    await page.close();
  }, 60_000);

  it('signs out when the key is revoked during a live tail', async () => {
    const tenant = await newTenant(t.app);
    await injectDeploy(t.app, tenant.accountKey, 'tailed');
    const { key, revoke } = await extraKey(tenant.id);
    const page = await signedIn(key, '#/logs?function=tailed');
    await page.getByRole('heading', { level: 1, name: 'Logs' }).waitFor();
    await page.getByRole('button', { name: 'Live tail' }).click();
    await page.getByText('Following tailed…').waitFor();
    await revoke();
    // The follower rechecks its key every few seconds, then ends with an UNAUTHENTICATED event.
    await page.getByRole('heading', { level: 1, name: 'Sign in to Tally' }).waitFor({ timeout: 30_000 });
    expect(await page.evaluate<unknown>("sessionStorage.getItem('tally.key')")).toBeNull();
    await page.close();
  }, 60_000);

  it("'Load more' goes on with the search that was made, not the form's later state or a later clock", async () => {
    const tenant = await newTenant(t.app);
    await injectDeploy(t.app, tenant.accountKey, 'paged');
    // 300 lines over the last 10 minutes, 2 s apart.
    await postLines(tenant.executorKey, tenant.id, 'paged', 300, 'line', 2_000);
    const page = await signedIn(tenant.accountKey, '#/logs?function=paged');
    await page.getByRole('heading', { level: 1, name: 'Logs' }).waitFor();
    await page.getByLabel('Time range').selectOption('900');
    await page.getByRole('button', { name: 'Search' }).click();
    const lines = page.getByRole('log', { name: 'Log lines' }).locator('li');
    await page.getByText('200 lines, more available.').waitFor();
    // The reader takes 8 minutes over the first page and types a filter without searching again.
    await page.clock.setFixedTime(new Date(Date.now() + 8 * 60_000));
    await page.getByLabel('Text filter').fill('line 29');
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByText(/^300 lines\.$/).waitFor({ timeout: 10_000 });
    expect(await lines.count()).toBe(300);
    await expect(lines.last().textContent()).resolves.toContain('line 299');
    await page.close();
  }, 60_000);

  it('lists every function, past the first page of 1,000, and deploys new code to the last one', async () => {
    const tenant = await newTenant(t.app);
    const names = Array.from({ length: 1001 }, (_, i) => `fn-${String(i).padStart(4, '0')}`);
    for (let i = 0; i < names.length; i += 25) {
      await Promise.all(names.slice(i, i + 25).map((n) => injectDeploy(t.app, tenant.accountKey, n)));
    }
    const page = await signedIn(tenant.accountKey, '#/functions');
    await page.getByRole('link', { name: 'fn-0000' }).waitFor();
    await page.getByRole('link', { name: 'fn-1000' }).waitFor({ timeout: 10_000 });
    // The list page's deploy form gives an existing name a new version (not a 409 'already exists').
    await page.getByLabel('Function name').fill('fn-1000');
    await page.getByLabel('Code (.zip)').setInputFiles({
      name: 'code.zip',
      mimeType: 'application/zip',
      buffer: makeZip([{ name: 'index.js', data: NODE_ECHO }]),
    });
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'fn-1000' }).waitFor({ timeout: 10_000 });
    const fn = await t.app.inject({ url: '/v1/functions/fn-1000', headers: bearer(tenant.accountKey) });
    expect(fn.json()).toMatchObject({ latestVersion: 2 });
    await page.close();
  }, 180_000);

  it("shows a function's newest versions when it has more than a page of them", async () => {
    const tenant = await newTenant(t.app);
    await injectDeploy(t.app, tenant.accountKey, 'busy');
    // Deployed on every commit: 1,001 new versions after the first.
    for (let i = 0; i < 1001; i++) {
      const r = await t.app.inject({
        method: 'PUT',
        url: '/v1/functions/busy/code',
        headers: bearer(tenant.accountKey),
        payload: { zipFile: b64(makeZip([{ name: 'index.js', data: `${NODE_ECHO}// build ${i}\n` }])) },
      });
      expect(r.statusCode, r.body).toBe(200);
    }
    const page = await signedIn(tenant.accountKey, '#/functions/busy');
    await page.getByRole('heading', { level: 1, name: 'busy' }).waitFor();
    const versions = page.getByRole('region', { name: /versions/i }).locator('tbody tr');
    await expect(versions.last().locator('td').first().textContent()).resolves.toBe('1002');
    await page.close();
  }, 180_000);

  it('shows the logs of the function chosen last, not of a slower search it replaced', async () => {
    const tenant = await newTenant(t.app);
    await injectDeploy(t.app, tenant.accountKey, 'first');
    await injectDeploy(t.app, tenant.accountKey, 'second');
    await postLines(tenant.executorKey, tenant.id, 'first', 3, 'from first');
    await postLines(tenant.executorKey, tenant.id, 'second', 2, 'from second');
    const page = await signedIn(tenant.accountKey, '#/functions');
    await page.getByRole('heading', { level: 1, name: 'Functions' }).waitFor();
    // The first function's search is slow to answer (a big log, a busy database).
    await page.route('**/v1/functions/first/logs**', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await route.continue();
    });
    await page.goto(`${t.base}/console/#/logs?function=first`);
    await page.getByRole('heading', { level: 1, name: 'Logs' }).waitFor();
    await page.getByLabel('Function').selectOption('second');
    const lines = page.getByRole('log', { name: 'Log lines' }).locator('li');
    await lines.filter({ hasText: 'from second' }).first().waitFor();
    // The slow answer for the first function arrives after: it must not replace the list.
    await page.waitForTimeout(3_000);
    await expect(lines.allTextContents()).resolves.toEqual([
      expect.stringContaining('from second 0'),
      expect.stringContaining('from second 1'),
    ]);
    await expect(
      page
        .getByRole('status')
        .filter({ hasText: /lines?\b/ })
        .first()
        .textContent(),
    ).resolves.toBe('2 lines.');
    await page.close();
  }, 60_000);

  it('shows the usage of the range chosen last, not of a slower one it replaced', async () => {
    const tenant = await newTenant(t.app);
    // One invocation a month ago: in the last 90 days, not in the last 7.
    const posted = await postUsage(t.app, tenant.executorKey, [
      usageEvent(tenant.id, { functionId: 'old', startedAt: new Date(Date.now() - 30 * 86_400_000).toISOString() }),
    ]);
    expect(posted.json()).toMatchObject({ accepted: 1 });
    const page = await signedIn(tenant.accountKey, '#/usage');
    await page.getByRole('heading', { level: 1, name: 'Usage' }).waitFor();
    // A long range is slow to answer.
    await page.route(/\/v1\/usage\?/, async (route) => {
      const q = new URL(route.request().url()).searchParams;
      const days = (Date.parse(q.get('to') ?? '') - Date.parse(q.get('from') ?? '')) / 86_400_000;
      if (days > 60) await new Promise((resolve) => setTimeout(resolve, 2_000));
      await route.continue();
    });
    await page.getByLabel('Range', { exact: true }).selectOption('90');
    await page.getByLabel('Range', { exact: true }).selectOption('7');
    await page.getByText('Usage for last 7 days: 0 requests.').waitFor();
    await page.waitForTimeout(3_000);
    // The 90 days' answer (1 request) came last; the page still says, and shows, the last 7 days.
    await expect(page.getByRole('img', { name: /^Requests per day\. Last 7 days: 0 requests/ }).count()).resolves.toBe(1);
    await expect(page.getByText('No usage in this range.').count()).resolves.toBe(2);
    await page.close();
  }, 60_000);

  it('says when and why an invoice was voided, beside its total', async () => {
    const tenant = await newTenant(t.app);
    const now = new Date();
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 3, 10));
    const period = lastMonth.toISOString().slice(0, 7);
    await postUsage(t.app, tenant.executorKey, [usageEvent(tenant.id, { functionId: 'billed', startedAt: lastMonth.toISOString() })]);
    const run = await t.app.inject({ method: 'POST', url: '/v1/invoices/run', headers: admin, payload: { period } });
    expect(run.statusCode, run.body).toBe(200);
    const list = await t.app.inject({ url: `/v1/invoices?period=${period}`, headers: bearer(tenant.accountKey) });
    const id = (list.json() as { invoices: { id: string }[] }).invoices[0]!.id;
    const voided = await t.app.inject({
      method: 'POST',
      url: `/v1/invoices/${id}/void`,
      headers: admin,
      payload: { reason: 'billed twice by mistake' },
    });
    expect(voided.statusCode, voided.body).toBe(200);
    const page = await signedIn(tenant.accountKey, `#/invoices/${id}`);
    await page.getByRole('heading', { level: 1, name: `Invoice ${period}` }).waitFor();
    await page.getByText(/billed twice by mistake/).waitFor({ timeout: 5_000 });
    await page.close();
  }, 60_000);
});
