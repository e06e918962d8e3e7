/**
 * Found by a review on 2026-12-07: input one tenant (an account key) can send that reaches Postgres (or JSON.stringify)
 * unvalidated and fails there as a 500, and an unbounded list.
 */
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, newTenant, useTestApp } from '../helpers/app.js';
import { b64, makeZip, NODE_ECHO } from '../helpers/functions.js';

const t = useTestApp(new Date().toISOString());
let a: Awaited<ReturnType<typeof newTenant>>;

beforeAll(async () => {
  a = await newTenant(t.app);
  const r = await t.app.inject({
    method: 'POST',
    url: '/v1/functions',
    headers: bearer(a.accountKey),
    payload: { name: 'f', runtime: 'nodejs', zipFile: b64(makeZip([{ name: 'index.js', data: NODE_ECHO }])) },
  });
  if (r.statusCode !== 201) throw new Error(r.body);
});

const call = (method: string, url: string, payload?: unknown) =>
  t.app.inject({
    method: method as 'GET',
    url: url.replace(':account', a.id),
    headers: bearer(a.accountKey),
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });

/** A refusal of bad input is a 4xx naming it (404 for a name nothing can have), never a 500. */
async function refused(method: string, url: string, payload?: unknown) {
  const r = await call(method, url, payload);
  expect([400, 404], `${method} ${url}: ${r.statusCode} ${r.body}`).toContain(r.statusCode);
}

describe('a month Postgres cannot represent (year 0) is a 400, not a failed query', () => {
  it('GET /v1/invoices?period=0000-01', () => refused('GET', '/v1/invoices?period=0000-01'));
  it('GET /v1/alerts?period=0000-01', () => refused('GET', '/v1/alerts?period=0000-01'));
});

describe('a NUL character in text that reaches Postgres is a 400, not a failed query', () => {
  it('POST /v1/budgets functionId', () => refused('POST', '/v1/budgets', { amount: '10', functionId: 'a\u0000b' }));
  it('GET /v1/usage?functionId=%00', () => refused('GET', '/v1/usage?functionId=%00'));
  it('GET /v1/functions?after=%00', () => refused('GET', '/v1/functions?after=%00'));
  it('GET /v1/schedules?after=%00', () => refused('GET', '/v1/schedules?after=%00'));
  it('GET /v1/functions/:name', () => refused('GET', '/v1/functions/a%00b'));
  it('GET /v1/schedules/:name', () => refused('GET', '/v1/schedules/a%00b'));
  it('GET /v1/functions/:name/aliases/:alias', () => refused('GET', '/v1/functions/f/aliases/a%00b'));
  it('PUT /v1/functions/:name/aliases/:alias description', () =>
    refused('PUT', '/v1/functions/f/aliases/live', { version: '$LATEST', description: 'a\u0000b' }));
  it('POST /v1/functions/:name/published-versions description', () =>
    refused('POST', '/v1/functions/f/published-versions', { description: 'a\u0000b' }));
  it('PATCH /v1/functions/:name/configuration environment value', () =>
    refused('PATCH', '/v1/functions/f/configuration', { environment: { GREETING: 'a\u0000b' } }));
  it('PUT /v1/functions/:name/url cors origin', () =>
    refused('PUT', '/v1/functions/f/url', { authType: 'NONE', cors: { allowOrigins: ['https://a\u0000b'] } }));
  it('PUT /v1/functions/:name/event-invoke-config webhook url', () =>
    refused('PUT', '/v1/functions/f/event-invoke-config', {
      destinations: { onFailure: { type: 'webhook', url: 'https://example.com/a\u0000b' } },
    }));
  it('DELETE /v1/accounts/:id/access-keys/:accessKeyId', () => refused('DELETE', '/v1/accounts/:account/access-keys/a%00b'));
});

describe('a version number past integer range is a 400, not a failed query', () => {
  it('GET /v1/functions/:name?version=3000000000', () => refused('GET', '/v1/functions/f?version=3000000000'));
  it('POST /v1/functions/:name/invoke?version=3000000000', () => refused('POST', '/v1/functions/f/invoke?version=3000000000', {}));
});

describe('deeply nested JSON in a body', () => {
  it('a schedule input nested 5,000 deep (10 KB) is refused with a 400, not a 500 from JSON.stringify', async () => {
    // sent as text: light-my-request's own JSON.stringify would overflow first
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/schedules',
      headers: { ...bearer(a.accountKey), 'content-type': 'application/json' },
      payload: `{"name":"deep","expression":"rate(5 minutes)","target":{"function":"f","input":${deep}}}`,
    });
    expect(r.statusCode, r.body).toBe(400);
  });
});

describe('GET /v1/functions/:name/versions', () => {
  it('is bounded (a page), however many versions configuration updates have made', async () => {
    const b = await newTenant(t.app);
    const made = await t.app.inject({
      method: 'POST',
      url: '/v1/functions',
      headers: bearer(b.accountKey),
      payload: {
        name: 'g',
        runtime: 'nodejs',
        environment: { PADDING: 'x'.repeat(3000) },
        zipFile: b64(makeZip([{ name: 'index.js', data: NODE_ECHO }])),
      },
    });
    expect(made.statusCode, made.body).toBe(201);
    // what 2,500 PATCH .../configuration calls leave behind (about 21 minutes at the default 120 a minute)
    const owner = t.db.owner;
    await sql`
      insert into function_versions (account_id, function_id, version, runtime, handler, memory_mb, timeout_s, architecture,
                                     ephemeral_storage_mb, environment, reserved_concurrency, code_sha256, package_type)
      select v.account_id, v.function_id, n, v.runtime, v.handler, v.memory_mb, v.timeout_s, v.architecture,
             v.ephemeral_storage_mb, v.environment, v.reserved_concurrency, v.code_sha256, v.package_type
      from function_versions v, generate_series(2, 2500) n
      where v.account_id = ${b.id} and v.version = 1`.execute(owner);
    await sql`update functions set latest_version = 2500 where account_id = ${b.id}`.execute(owner);

    const r = await t.app.inject({ method: 'GET', url: '/v1/functions/g/versions', headers: bearer(b.accountKey) });
    expect(r.statusCode).toBe(200);
    // every other list of the api answers at most 1,000 items a page
    expect(r.json().versions.length, `${r.body.length} bytes in one answer`).toBeLessThanOrEqual(1000);
    // Every version once, in order, page by page.
    const seen: number[] = [];
    for (let after = 0; ; ) {
      const page = await t.app.inject({
        method: 'GET',
        url: `/v1/functions/g/versions?limit=700&after=${after}`,
        headers: bearer(b.accountKey),
      });
      seen.push(...page.json().versions.map((v: { version: number }) => v.version));
      if (page.json().next === null) break;
      after = page.json().next;
    }
    expect(seen).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
    const missing = await t.app.inject({ method: 'GET', url: '/v1/functions/nope/versions', headers: bearer(b.accountKey) });
    expect(missing.statusCode).toBe(404);
  });
});
