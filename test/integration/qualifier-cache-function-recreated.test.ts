import { describe, expect, it } from 'vitest';
import { newTenant } from '../helpers/app.js';
import { call, deploy, makeZip, useFunctionsApp } from '../helpers/functions.js';

// Review of 2026-12-07: a replica's resolved qualifiers (alias -> version, cached 2 s) are keyed by the
// function's name, and deleting the function did not drop them. A function deleted and made again under
// the same name on the same replica still resolved the old function's aliases: `?alias=live` ran the new
// function's (unpublished) version of that number instead of answering that the new function has no such
// alias, although docs/aws.md promises that a change on this replica drops the cache at once.
const t = useFunctionsApp();

const CODE = `exports.handler = async () => ({ v: process.env.V });`;
const zip = makeZip([{ name: 'index.js', data: CODE }]);

describe('qualifiers cached by a replica', () => {
  it('a function deleted and made again under its name does not keep the old aliases on this replica', async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'f', zip, { environment: { V: 'old' } });
    expect((await call(t.base, a.accountKey, 'POST', '/v1/functions/f/published-versions', {})).json.version).toBe(1);
    expect((await call(t.base, a.accountKey, 'PUT', '/v1/functions/f/aliases/live', { version: 1 })).status).toBe(200);
    const before = await call(t.base, a.accountKey, 'POST', '/v1/functions/f/invoke?alias=live', {});
    expect(before.status, before.text).toBe(200);
    expect(before.json).toEqual({ v: 'old' });

    expect((await call(t.base, a.accountKey, 'DELETE', '/v1/functions/f')).status).toBe(204);
    await deploy(t.base, a.accountKey, 'f', zip, { environment: { V: 'new' } });

    // The new f has no alias `live` (and its version 1 is not published): nothing runs.
    const after = await call(t.base, a.accountKey, 'POST', '/v1/functions/f/invoke?alias=live', {});
    expect(after.status, after.text).toBe(404);
    expect(after.json.error.code).toBe('FUNCTION_NOT_FOUND');
    await expect(t.services.versions.resolve(a.id, 'f', 'live')).rejects.toMatchObject({ code: 'FUNCTION_NOT_FOUND' });
  });
});
