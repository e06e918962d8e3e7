import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { AliasMissing, createUrlsRepository } from '../../src/modules/urls/urls.repository.js';
import { newTenant } from '../helpers/app.js';
import { call, deploy, makeZip, until, useFunctionsApp } from '../helpers/functions.js';

const t = useFunctionsApp();

const CODE = `
exports.handler = async (event, context) => ({
  v: process.env.V, version: context.functionVersion, arn: context.invokedFunctionArn, path: event.rawPath,
  requestId: event.requestContext.requestId,
});
`;
const zip = makeZip([{ name: 'index.js', data: CODE }]);

/** What the function answered through a URL. */
interface Seen {
  v: string;
  version: string;
  arn: string;
  path: string;
  /** The invocation's id, which its usage row carries. */
  requestId: string;
}

/** A function `name` whose versions 1 (V=one, 128 MB) and 2 (V=two, 256 MB) are published, and its alias `live` on version 1. */
async function twoVersions(key: string, name: string) {
  await deploy(t.base, key, name, zip, { handler: 'index.handler', environment: { V: 'one' }, memoryMb: 128 });
  expect((await call(t.base, key, 'POST', `/v1/functions/${name}/published-versions`, {})).status).toBe(201);
  const changed = await call(t.base, key, 'PATCH', `/v1/functions/${name}/configuration`, { environment: { V: 'two' }, memoryMb: 256 });
  expect(changed.status, changed.text).toBe(200);
  expect((await call(t.base, key, 'POST', `/v1/functions/${name}/published-versions`, {})).json.version).toBe(2);
  const alias = await call(t.base, key, 'PUT', `/v1/functions/${name}/aliases/live`, { version: 1 });
  expect(alias.status, alias.text).toBe(200);
}

async function putUrl(key: string, name: string, query: string, settings: Record<string, unknown> = { authType: 'NONE' }) {
  const r = await call(t.base, key, 'PUT', `/v1/functions/${name}/url${query}`, settings);
  expect(r.status, r.text).toBe(200);
  return r.json as { url: string; urlId: string; qualifier: string | null; authType: string };
}

async function through(url: string, key?: string): Promise<{ status: number; body: Seen & { error?: { code: string; message: string } } }> {
  const r = await fetch(`${url}hello`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  return { status: r.status, body: (await r.json()) as Seen & { error?: { code: string; message: string } } };
}

/** The memory an invocation was billed at, once the executor's usage arrived. */
const billedMemory = (accountId: string, requestId: string) =>
  until(`usage of ${requestId}`, async () => {
    const { rows } = await sql<{ memory_mb: number }>`
      select memory_mb from usage_events where account_id = ${accountId} and invocation_id = ${requestId}`.execute(t.db.db);
    return rows[0]?.memory_mb;
  });

const urlRows = async (accountId: string) =>
  (
    await sql<{
      qualifier: string | null;
    }>`select qualifier from function_urls where account_id = ${accountId} order by qualifier nulls first`.execute(t.db.db)
  ).rows.map((r) => r.qualifier);

describe("function URLs on an alias (Lambda's Qualifier)", () => {
  it("an alias's URL runs the alias's version and follows it when it moves; the function's own URL, with its own auth, runs $LATEST", async () => {
    const a = await newTenant(t.app);
    await twoVersions(a.accountKey, 'site');
    const own = await putUrl(a.accountKey, 'site', '');
    const live = await putUrl(a.accountKey, 'site', '?qualifier=live', { authType: 'TALLY_KEY' });
    expect(own.qualifier).toBeNull();
    expect(live).toMatchObject({ qualifier: 'live', authType: 'TALLY_KEY' });
    expect(live.urlId).not.toBe(own.urlId);

    const latest = await through(own.url);
    expect(latest.status).toBe(200);
    // Tally names the latest version's number in context.functionVersion (README, "Known differences").
    expect(latest.body).toMatchObject({ v: 'two', version: '2', path: '/hello' });
    expect(latest.body.arn).toMatch(/:function:site$/);
    // The alias's URL keeps its own auth type: no key, no call.
    expect((await through(live.url)).status).toBe(401);
    const one = await through(live.url, a.accountKey);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ v: 'one', version: '1' });
    expect(one.body.arn).toMatch(new RegExp(`:${a.id}:function:site:live$`));
    // Each call is billed as the version that ran: version 1 has 128 MB, the latest 256.
    expect(await billedMemory(a.id, one.body.requestId)).toBe(128);
    expect(await billedMemory(a.id, latest.body.requestId)).toBe(256);

    // The alias moves: its URL runs the new version at once (this replica forgets the resolved alias).
    expect((await call(t.base, a.accountKey, 'PUT', '/v1/functions/site/aliases/live', { version: 2 })).status).toBe(200);
    expect((await through(live.url, a.accountKey)).body).toMatchObject({ v: 'two', version: '2' });
    // Changing one URL's settings leaves the other's alone.
    await putUrl(a.accountKey, 'site', '?qualifier=live', { authType: 'NONE' });
    expect((await through(live.url)).body.version).toBe('2');
    expect((await call(t.base, a.accountKey, 'GET', '/v1/functions/site/url')).json.authType).toBe('NONE');

    const listed = await call(t.base, a.accountKey, 'GET', '/v1/functions/site/urls');
    expect(listed.status).toBe(200);
    expect(listed.json.urls.map((u: { qualifier: string | null; url: string }) => [u.qualifier, u.url])).toEqual([
      [null, own.url],
      ['live', live.url],
    ]);
    expect((await call(t.base, a.accountKey, 'GET', '/v1/functions/site/url?qualifier=live')).json.url).toBe(live.url);

    // Removing the function's own URL keeps the alias's.
    expect((await call(t.base, a.accountKey, 'DELETE', '/v1/functions/site/url')).status).toBe(204);
    expect((await call(t.base, a.accountKey, 'GET', '/v1/functions/site/url')).status).toBe(404);
    expect((await through(live.url)).body.version).toBe('2');
    expect(await urlRows(a.id)).toEqual(['live']);
  });

  it('a weighted alias draws the version per call through its URL, and each call reports the version that ran', async () => {
    const a = await newTenant(t.app);
    await twoVersions(a.accountKey, 'split');
    const weighted = await call(t.base, a.accountKey, 'PUT', '/v1/functions/split/aliases/live', {
      version: 1,
      routing: { version: 2, weight: 0.5 },
    });
    expect(weighted.status, weighted.text).toBe(200);
    const live = await putUrl(a.accountKey, 'split', '?qualifier=live');
    const seen = new Set<string>();
    for (let i = 0; i < 24; i++) {
      const r = await through(live.url);
      expect(r.body.v).toBe(r.body.version === '1' ? 'one' : 'two');
      expect(r.body.arn).toMatch(/:function:split:live$/);
      seen.add(r.body.version);
    }
    // Both versions in 24 fair draws (all alike: 2 in 2^24).
    expect([...seen].sort()).toEqual(['1', '2']);
  });

  it('refuses $LATEST, a version number and an unknown alias as a qualifier, writing nothing; two racing creates make one URL', async () => {
    const a = await newTenant(t.app);
    await twoVersions(a.accountKey, 'strict');
    for (const method of ['PUT', 'GET', 'DELETE']) {
      for (const q of ['$LATEST', '1', '2', 'no%2Fslash']) {
        const path = `/v1/functions/strict/url?qualifier=${encodeURIComponent(q)}`;
        const r = await call(t.base, a.accountKey, method, path, method === 'PUT' ? { authType: 'NONE' } : undefined);
        expect([method, q, r.status, r.json.error.code]).toEqual([method, q, 400, 'VALIDATION_FAILED']);
        expect(r.json.error.message).toMatch(/^qualifier: /);
      }
    }
    const latest = await call(t.base, a.accountKey, 'PUT', '/v1/functions/strict/url?qualifier=%24LATEST', { authType: 'NONE' });
    expect(latest.json.error.message).toContain('omit the qualifier');
    const version = await call(t.base, a.accountKey, 'PUT', '/v1/functions/strict/url?qualifier=1', { authType: 'NONE' });
    expect(version.json.error.message).toContain('not to version 1');
    const unknown = await call(t.base, a.accountKey, 'PUT', '/v1/functions/strict/url?qualifier=nope', { authType: 'NONE' });
    expect([unknown.status, unknown.json.error.code]).toEqual([404, 'NOT_FOUND']);
    expect(unknown.json.error.message).toBe('Alias nope of function strict was not found: create it before its URL');
    const extra = await call(t.base, a.accountKey, 'PUT', '/v1/functions/strict/url?alias=live', { authType: 'NONE' });
    expect(extra.status).toBe(400);
    expect(await urlRows(a.id)).toEqual([]);
    expect((await call(t.base, a.accountKey, 'GET', '/v1/functions/strict/urls')).json).toEqual({ urls: [] });
    expect((await call(t.base, a.accountKey, 'GET', '/v1/functions/strict/url?qualifier=live')).json.error.code).toBe(
      'FUNCTION_URL_NOT_FOUND',
    );

    // The database refuses an alias that is not there, whoever writes (the service checks first; a delete may come between).
    const fn = await call(t.base, a.accountKey, 'GET', '/v1/functions/strict');
    const repo = createUrlsRepository(t.db.db);
    const settings = { authType: 'NONE' as const, cors: null };
    await expect(repo.upsert(a.id, fn.json.id, 'nope', 'a'.repeat(32), settings, new Date())).rejects.toBeInstanceOf(AliasMissing);
    expect(await urlRows(a.id)).toEqual([]);

    // Two creates at once: one URL, the same for both.
    const [x, y] = await Promise.all([
      putUrl(a.accountKey, 'strict', '?qualifier=live'),
      putUrl(a.accountKey, 'strict', '?qualifier=live'),
    ]);
    expect(x.url).toBe(y.url);
    const [p, q] = await Promise.all([putUrl(a.accountKey, 'strict', ''), putUrl(a.accountKey, 'strict', '')]);
    expect(p.url).toBe(q.url);
    expect(await urlRows(a.id)).toEqual([null, 'live']);
  });

  it("another account can neither make, read, remove nor call (with its key) an account's alias URL", async () => {
    const a = await newTenant(t.app);
    const b = await newTenant(t.app);
    await twoVersions(a.accountKey, 'shared-name');
    const live = await putUrl(a.accountKey, 'shared-name', '?qualifier=live', { authType: 'TALLY_KEY' });
    // B has no function of that name: A's is not B's to see.
    for (const method of ['GET', 'DELETE', 'PUT']) {
      const body = method === 'PUT' ? { authType: 'NONE' } : undefined;
      const r = await call(t.base, b.accountKey, method, '/v1/functions/shared-name/url?qualifier=live', body);
      expect([method, r.status, r.json.error.code]).toEqual([method, 404, 'FUNCTION_NOT_FOUND']);
    }
    expect((await call(t.base, b.accountKey, 'GET', '/v1/functions/shared-name/urls')).status).toBe(404);
    // B's function of the same name has no alias `live`: A's alias does not count.
    await deploy(t.base, b.accountKey, 'shared-name', zip, { handler: 'index.handler' });
    const bPut = await call(t.base, b.accountKey, 'PUT', '/v1/functions/shared-name/url?qualifier=live', { authType: 'NONE' });
    expect([bPut.status, bPut.json.error.code]).toEqual([404, 'NOT_FOUND']);
    expect((await call(t.base, b.accountKey, 'GET', '/v1/functions/shared-name/urls')).json).toEqual({ urls: [] });
    expect((await call(t.base, b.accountKey, 'DELETE', '/v1/functions/shared-name/url?qualifier=live')).status).toBe(404);
    expect(await urlRows(b.id)).toEqual([]);
    // B's key on A's TALLY_KEY URL: refused; A's own key runs the alias.
    expect((await through(live.url, b.accountKey)).status).toBe(403);
    expect((await through(live.url, a.accountKey)).body.version).toBe('1');
    expect(await urlRows(a.id)).toEqual(['live']);
  });

  it('deleting the alias deletes its URL: the URL answers 404 at once (never $LATEST), and a new alias of that name gets no old URL', async () => {
    const a = await newTenant(t.app);
    await twoVersions(a.accountKey, 'gone');
    const own = await putUrl(a.accountKey, 'gone', '');
    const live = await putUrl(a.accountKey, 'gone', '?qualifier=live');
    expect((await through(live.url)).body.version).toBe('1'); // this replica now holds the URL in its cache

    expect((await call(t.base, a.accountKey, 'DELETE', '/v1/functions/gone/aliases/live')).status).toBe(204);
    expect(await urlRows(a.id)).toEqual([null]);
    // Still cached here for up to 2 s: the call finds the alias gone and runs nothing.
    const stale = await through(live.url);
    expect(stale.status).toBe(404);
    expect(stale.body.error).toMatchObject({ code: 'FUNCTION_URL_NOT_FOUND' });
    expect(stale.body.error!.message).toContain('alias live of function gone, which was deleted');
    expect((await call(t.base, a.accountKey, 'GET', '/v1/functions/gone/url?qualifier=live')).status).toBe(404);
    expect((await call(t.base, a.accountKey, 'GET', '/v1/functions/gone/urls')).json.urls.map((u: { url: string }) => u.url)).toEqual([
      own.url,
    ]);

    // The alias made again is a new alias: the old URL stays gone.
    expect((await call(t.base, a.accountKey, 'PUT', '/v1/functions/gone/aliases/live', { version: 2 })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2_100)); // past the URL cache's life
    const after = await through(live.url);
    expect([after.status, after.body.error?.code]).toEqual([404, 'FUNCTION_URL_NOT_FOUND']);
    const latest = await through(own.url);
    expect([latest.status, latest.body.v]).toEqual([200, 'two']);
    expect(latest.body.arn).toMatch(/:function:gone$/);
  });
});
