import { describe, expect, it } from 'vitest';
import { newTenant } from '../helpers/app.js';
import { call, deploy, makeZip, useFunctionsApp } from '../helpers/functions.js';

// Review of 2026-12-07: a replica caches function URLs by their id for 2 s (FreshCache since f996365), and a
// URL invokes its function by name. Deleting the function deletes its URL, but this replica's cache kept it:
// a function made again under the same name (with no URL, or a private one) was invoked through the old
// public URL, with no key, until the entry expired, although a change made on this replica shows at once.
const t = useFunctionsApp();
const zip = (v: string) => makeZip([{ name: 'index.js', data: `exports.handler = async () => ({ statusCode: 200, body: '${v}' });` }]);

describe('function URLs cached by a replica', () => {
  it("a deleted function's public URL does not reach a function made again under its name", async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'site', zip('old'));
    const put = await call(t.base, a.accountKey, 'PUT', '/v1/functions/site/url', { authType: 'NONE' });
    expect(put.status, put.text).toBe(200);
    const url = `${t.base}/url/${put.json.urlId}/`;
    const before = await fetch(url);
    expect(before.status).toBe(200);
    expect(await before.text()).toBe('old');

    expect((await call(t.base, a.accountKey, 'DELETE', '/v1/functions/site')).status).toBe(204);
    await deploy(t.base, a.accountKey, 'site', zip('new'));
    expect((await call(t.base, a.accountKey, 'GET', '/v1/functions/site/url')).status).toBe(404);

    // Anyone holding the old URL: no URL any more, nothing runs.
    const after = await fetch(url);
    expect(after.status, await after.text()).toBe(404);
  });
});
