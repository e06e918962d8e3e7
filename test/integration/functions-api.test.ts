import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { admin, bearer, fleetKey, newTenant, useTestApp } from '../helpers/app.js';
import { b64, makeZip, NODE_ECHO } from '../helpers/functions.js';

const t = useTestApp(new Date().toISOString());

const zipOf = (source = NODE_ECHO) => makeZip([{ name: 'index.js', data: source }]);
const sha = (zip: Buffer) => createHash('sha256').update(zip).digest('hex');

async function create(key: string, body: Record<string, unknown>, zip = zipOf()) {
  return t.app.inject({
    method: 'POST',
    url: '/v1/functions',
    headers: bearer(key),
    payload: { runtime: 'nodejs', zipFile: b64(zip), ...body },
  });
}

const count = async (table: 'functions' | 'function_versions' | 'function_code', accountId: string) =>
  Number(
    (
      await t.db.db
        .withTables<{ [k: string]: { account_id: string } }>()
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('account_id', '=', accountId)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('functions API', () => {
  it('creates a function from JSON with Lambda defaults, and reads it back', async () => {
    const a = await newTenant(t.app);
    const zip = zipOf();
    const r = await create(a.accountKey, { name: 'hello' }, zip);
    expect(r.statusCode).toBe(201);
    const fn = r.json();
    expect(fn).toMatchObject({
      name: 'hello',
      version: 1,
      latestVersion: 1,
      runtime: 'nodejs',
      handler: 'index.handler',
      memoryMb: 128,
      timeoutS: 3,
      architecture: 'x86_64',
      ephemeralStorageMb: 512,
      environment: {},
      reservedConcurrency: null,
      codeSha256: sha(zip),
      codeSize: zip.length,
      codeUnzippedSize: NODE_ECHO.length,
    });
    expect(fn).not.toHaveProperty('accountId');
    const got = await t.app.inject({ method: 'GET', url: '/v1/functions/hello', headers: bearer(a.accountKey) });
    expect(got.json()).toEqual(fn);
    const list = await t.app.inject({ method: 'GET', url: '/v1/functions', headers: bearer(a.accountKey) });
    expect(list.json()).toEqual({ functions: [fn], next: null });
  });

  it('creates a function from a raw application/zip body with the settings in the query string', async () => {
    const a = await newTenant(t.app);
    const env = encodeURIComponent(JSON.stringify({ GREETING: 'hi' }));
    const r = await t.app.inject({
      method: 'POST',
      url: `/v1/functions?name=raw&runtime=nodejs&memoryMb=256&timeoutS=10&architecture=arm64&ephemeralStorageMb=1024&reservedConcurrency=2&environment=${env}`,
      headers: { ...bearer(a.accountKey), 'content-type': 'application/zip' },
      payload: zipOf(),
    });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({
      name: 'raw',
      memoryMb: 256,
      timeoutS: 10,
      architecture: 'arm64',
      ephemeralStorageMb: 1024,
      reservedConcurrency: 2,
      environment: { GREETING: 'hi' },
    });
    const missing = await t.app.inject({
      method: 'POST',
      url: '/v1/functions?runtime=nodejs',
      headers: { ...bearer(a.accountKey), 'content-type': 'application/zip' },
      payload: zipOf(),
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.message).toMatch(/query.name/);
  });

  it('refuses a second function of the same name (409) and keeps the first untouched', async () => {
    const a = await newTenant(t.app);
    await create(a.accountKey, { name: 'dup' });
    const again = await create(a.accountKey, { name: 'dup', memoryMb: 512 }, zipOf('exports.handler = async () => 2;'));
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('FUNCTION_EXISTS');
    expect(await count('function_versions', a.id)).toBe(1);
    expect(await count('function_code', a.id)).toBe(1);
    // The same name in another account is another function.
    const b = await newTenant(t.app);
    expect((await create(b.accountKey, { name: 'dup' })).statusCode).toBe(201);
  });

  it('makes a new immutable version for each code or configuration update', async () => {
    const a = await newTenant(t.app);
    const v1 = (await create(a.accountKey, { name: 'ver', environment: { A: '1' } })).json();
    const newZip = zipOf('exports.handler = async () => "v2";');
    const v2 = await t.app.inject({
      method: 'PUT',
      url: '/v1/functions/ver/code',
      headers: bearer(a.accountKey),
      payload: { zipFile: b64(newZip) },
    });
    expect(v2.statusCode).toBe(200);
    expect(v2.json()).toMatchObject({ version: 2, codeSha256: sha(newZip), environment: { A: '1' } });
    const raw = await t.app.inject({
      method: 'PUT',
      url: '/v1/functions/ver/code',
      headers: { ...bearer(a.accountKey), 'content-type': 'application/zip' },
      payload: zipOf(),
    });
    expect(raw.json()).toMatchObject({ version: 3, codeSha256: v1.codeSha256 });
    const v4 = await t.app.inject({
      method: 'PATCH',
      url: '/v1/functions/ver/configuration',
      headers: bearer(a.accountKey),
      payload: { memoryMb: 1024, environment: { B: '2' }, reservedConcurrency: 5 },
    });
    expect(v4.json()).toMatchObject({
      version: 4,
      latestVersion: 4,
      memoryMb: 1024,
      environment: { B: '2' },
      reservedConcurrency: 5,
      timeoutS: 3,
    });
    const cleared = await t.app.inject({
      method: 'PATCH',
      url: '/v1/functions/ver/configuration',
      headers: bearer(a.accountKey),
      payload: { reservedConcurrency: null },
    });
    expect(cleared.json()).toMatchObject({ version: 5, reservedConcurrency: null, memoryMb: 1024 });

    const old = await t.app.inject({ method: 'GET', url: '/v1/functions/ver?version=1', headers: bearer(a.accountKey) });
    expect(old.json()).toMatchObject({ version: 1, latestVersion: 5, memoryMb: 128, environment: { A: '1' } });
    const versions = await t.app.inject({ method: 'GET', url: '/v1/functions/ver/versions', headers: bearer(a.accountKey) });
    expect(versions.json().versions.map((v: { version: number }) => v.version)).toEqual([1, 2, 3, 4, 5]);
    expect((await t.app.inject({ method: 'GET', url: '/v1/functions/ver?version=9', headers: bearer(a.accountKey) })).statusCode).toBe(404);
    // A version is immutable, in the database too: the api's role may not update it, nor may the owner.
    const versionsOf = (db: typeof t.db.db) => db.withTables<{ function_versions: { memory_mb: number; account_id: string } }>();
    await expect(
      versionsOf(t.db.db).updateTable('function_versions').set({ memory_mb: 2048 }).where('account_id', '=', a.id).execute(),
    ).rejects.toThrow(/permission denied/);
    await expect(
      versionsOf(t.db.owner).updateTable('function_versions').set({ memory_mb: 2048 }).where('account_id', '=', a.id).execute(),
    ).rejects.toThrow(/append-only/);
  });

  it('checks the handler again when a configuration change moves it, and writes nothing when it fails', async () => {
    const a = await newTenant(t.app);
    await create(a.accountKey, { name: 'moves' });
    const bad = await t.app.inject({
      method: 'PATCH',
      url: '/v1/functions/moves/configuration',
      headers: bearer(a.accountKey),
      payload: { handler: 'main.handler' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'HANDLER_NOT_FOUND' });
    expect(bad.json().error.message).toMatch(/main\.js or main\.mjs or main\.cjs/);
    const toPython = await t.app.inject({
      method: 'PATCH',
      url: '/v1/functions/moves/configuration',
      headers: bearer(a.accountKey),
      payload: { runtime: 'python' },
    });
    expect(toPython.statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/v1/functions/moves', headers: bearer(a.accountKey) })).json().latestVersion).toBe(1);
    const empty = await t.app.inject({
      method: 'PATCH',
      url: '/v1/functions/moves/configuration',
      headers: bearer(a.accountKey),
      payload: {},
    });
    expect(empty.statusCode).toBe(400);
  });

  it('deletes a function with its versions and the code nothing else uses', async () => {
    const a = await newTenant(t.app);
    await create(a.accountKey, { name: 'gone' });
    await create(a.accountKey, { name: 'stays' });
    await t.app.inject({
      method: 'PUT',
      url: '/v1/functions/gone/code',
      headers: bearer(a.accountKey),
      payload: { zipFile: b64(zipOf('exports.handler = () => 1;')) },
    });
    expect(await count('function_code', a.id)).toBe(2);
    const del = await t.app.inject({ method: 'DELETE', url: '/v1/functions/gone', headers: bearer(a.accountKey) });
    expect(del.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/v1/functions/gone', headers: bearer(a.accountKey) })).json().error.code).toBe(
      'FUNCTION_NOT_FOUND',
    );
    expect((await t.app.inject({ method: 'DELETE', url: '/v1/functions/gone', headers: bearer(a.accountKey) })).statusCode).toBe(404);
    // The zip "stays" shares is kept; the one only "gone" used is deleted.
    expect(await count('function_code', a.id)).toBe(1);
    expect(await count('function_versions', a.id)).toBe(1);
  });

  it("hides another tenant's functions (404), and lets an admin act for an account", async () => {
    const a = await newTenant(t.app);
    const b = await newTenant(t.app);
    await create(a.accountKey, { name: 'private' });
    for (const [method, url, payload] of [
      ['GET', '/v1/functions/private', undefined],
      ['PUT', '/v1/functions/private/code', { zipFile: b64(zipOf()) }],
      ['PATCH', '/v1/functions/private/configuration', { memoryMb: 256 }],
      ['DELETE', '/v1/functions/private', undefined],
      ['POST', '/v1/functions/private/invoke', {}],
    ] as const) {
      const r = await t.app.inject({ method, url, headers: bearer(b.accountKey), ...(payload ? { payload } : {}) });
      expect(r.statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await t.app.inject({ method: 'GET', url: '/v1/functions', headers: bearer(b.accountKey) })).json().functions).toEqual([]);
    const asAdmin = await t.app.inject({ method: 'GET', url: '/v1/functions/private', headers: { ...admin, 'x-account-id': a.id } });
    expect(asAdmin.json().name).toBe('private');
    expect((await t.app.inject({ method: 'GET', url: '/v1/functions/private', headers: admin })).json().error.code).toBe(
      'ACCOUNT_REQUIRED',
    );
    expect((await t.app.inject({ method: 'GET', url: '/v1/functions', headers: bearer(a.executorKey) })).statusCode).toBe(403);
  });

  it('pages the list by name', async () => {
    const a = await newTenant(t.app);
    for (const name of ['c', 'a', 'b']) await create(a.accountKey, { name });
    const first = (await t.app.inject({ method: 'GET', url: '/v1/functions?limit=2', headers: bearer(a.accountKey) })).json();
    expect(first.functions.map((f: { name: string }) => f.name)).toEqual(['a', 'b']);
    const second = (
      await t.app.inject({ method: 'GET', url: `/v1/functions?limit=2&after=${first.next}`, headers: bearer(a.accountKey) })
    ).json();
    expect(second).toMatchObject({ functions: [{ name: 'c' }], next: null });
  });
});

describe('code and executors endpoints', () => {
  it('serves code by hash to executor keys only, scoped keys to their own account', async () => {
    const a = await newTenant(t.app);
    const b = await newTenant(t.app);
    const zip = zipOf('exports.handler = async () => "code";');
    await create(a.accountKey, { name: 'code' }, zip);
    const fleet = await fleetKey(t.app);
    // A platform key gets code only once it is bound to a registered executor.
    const unbound = await t.app.inject({ method: 'GET', url: `/v1/code/${sha(zip)}`, headers: bearer(fleet) });
    expect([unbound.statusCode, unbound.json().error.code]).toEqual([403, 'EXECUTOR_NOT_REGISTERED']);
    const register = { id: crypto.randomUUID(), url: 'http://127.0.0.1:1/code', capacity: 1, token: 'y'.repeat(40) };
    expect(
      (await t.app.inject({ method: 'POST', url: '/v1/executors/register', headers: bearer(fleet), payload: register })).statusCode,
    ).toBe(200);
    const got = await t.app.inject({ method: 'GET', url: `/v1/code/${sha(zip)}`, headers: bearer(fleet) });
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-type']).toBe('application/zip');
    expect(got.rawPayload.equals(zip)).toBe(true);
    // A tenant's code, answered to a key: no shared cache (a proxy in front of the api) may keep it and hand it on.
    expect(got.headers['cache-control']).toMatch(/^private\b/);
    expect((await t.app.inject({ method: 'GET', url: `/v1/code/${sha(zip)}`, headers: bearer(a.executorKey) })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `/v1/code/${sha(zip)}`, headers: bearer(b.executorKey) })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/v1/code/${sha(zip)}`, headers: bearer(a.accountKey) })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: `/v1/code/${'0'.repeat(64)}`, headers: bearer(fleet) })).json().error.code).toBe(
      'CODE_NOT_FOUND',
    );
  });

  it('registers executors with a platform key only, and asks an unknown one to register again', async () => {
    const a = await newTenant(t.app);
    const fleet = await fleetKey(t.app);
    const body = { id: crypto.randomUUID(), url: 'http://127.0.0.1:1', capacity: 4, token: 'x'.repeat(40) };
    const scoped = await t.app.inject({ method: 'POST', url: '/v1/executors/register', headers: bearer(a.executorKey), payload: body });
    expect(scoped.statusCode).toBe(403);
    expect(
      (await t.app.inject({ method: 'POST', url: '/v1/executors/register', headers: bearer(a.accountKey), payload: body })).statusCode,
    ).toBe(403);
    const ok = await t.app.inject({ method: 'POST', url: '/v1/executors/register', headers: bearer(fleet), payload: body });
    expect(ok.json()).toMatchObject({ id: body.id, heartbeatIntervalMs: 2000, staleAfterMs: 10000 });
    const listed = await t.app.inject({ method: 'GET', url: '/v1/executors', headers: admin });
    expect(listed.json().executors.find((e: { id: string }) => e.id === body.id)).toMatchObject({ url: body.url, capacity: 4 });
    expect(JSON.stringify(listed.json())).not.toContain(body.token);
    const beat = await t.app.inject({
      method: 'POST',
      url: `/v1/executors/${body.id}/heartbeat`,
      headers: bearer(fleet),
      payload: { instances: 1, busy: 0 },
    });
    expect(beat.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/executors/${body.id}`, headers: bearer(fleet) })).statusCode).toBe(204);
    const unknown = await t.app.inject({
      method: 'POST',
      url: `/v1/executors/${body.id}/heartbeat`,
      headers: bearer(fleet),
      payload: { instances: 0, busy: 0 },
    });
    expect(unknown.json().error.code).toBe('EXECUTOR_NOT_FOUND');
  });
});
