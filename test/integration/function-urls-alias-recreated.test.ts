import { describe, expect, it } from 'vitest';
import { newTenant } from '../helpers/app.js';
import { call, deploy, makeZip, useFunctionsApp } from '../helpers/functions.js';

/**
 * Review of function URLs per alias (docs/events.md, "A URL per alias"): deleting an alias deletes its URL, and the
 * replica that deleted it answers that URL 404 at once, even while the URL is in its cache. An alias made again
 * under the same name is another alias, which has no URL until one is made for it: the old URL must not reach it.
 */
const t = useFunctionsApp();

const CODE = `exports.handler = async (event, context) => ({ v: process.env.V, version: context.functionVersion });\n`;
const zip = makeZip([{ name: 'index.js', data: CODE }]);

describe('review: the URL of a deleted alias', () => {
  it('does not reach an alias made again under the name while this replica still caches the URL', async () => {
    const a = await newTenant(t.app);
    const key = a.accountKey;
    await deploy(t.base, key, 'f', zip, { handler: 'index.handler', environment: { V: 'one' } });
    expect((await call(t.base, key, 'POST', '/v1/functions/f/published-versions', {})).status).toBe(201);
    await call(t.base, key, 'PATCH', '/v1/functions/f/configuration', { environment: { V: 'two' } });
    expect((await call(t.base, key, 'POST', '/v1/functions/f/published-versions', {})).json.version).toBe(2);
    expect((await call(t.base, key, 'PUT', '/v1/functions/f/aliases/live', { version: 1 })).status).toBe(200);
    // A public URL on live, called once: this replica now caches it.
    const made = await call(t.base, key, 'PUT', '/v1/functions/f/url?qualifier=live', { authType: 'NONE' });
    expect(made.status, made.text).toBe(200);
    const url = made.json.url as string;
    const first = await fetch(`${url}x`);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ v: 'one', version: '1' });

    // The alias goes, with its URL; another alias of the name is made (on version 2), with no URL of its own.
    expect((await call(t.base, key, 'DELETE', '/v1/functions/f/aliases/live')).status).toBe(204);
    expect((await call(t.base, key, 'PUT', '/v1/functions/f/aliases/live', { version: 2 })).status).toBe(200);
    expect((await call(t.base, key, 'GET', '/v1/functions/f/urls')).json.urls).toEqual([]);

    // Within the URL cache's 2 s: the deleted URL answers 404 and runs nothing.
    const after = await fetch(`${url}x`);
    const body = (await after.json()) as { v?: string; error?: { code: string } };
    expect([after.status, body.error?.code, body.v]).toEqual([404, 'FUNCTION_URL_NOT_FOUND', undefined]);
  });
});
