import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { silentLogger } from '../../src/lib/logger.js';
import type { UsageEvent } from '../../src/contracts/usage.js';
import { ADMIN_KEY, admin, bearer, fleetExecutor, newTenant, postUsage, usageEvent, useTestApp } from '../helpers/app.js';

const t = useTestApp();

type Tenant = Awaited<ReturnType<typeof newTenant>>;
let tenant: Tenant;
let other: Tenant;
/** A platform executor key bound to an executor; its events carry the dispatch tokens the api would have signed. */
let fleet: Awaited<ReturnType<typeof fleetExecutor>>;

beforeAll(async () => {
  tenant = await newTenant(t.app);
  other = await newTenant(t.app);
  fleet = await fleetExecutor(t.app, t.db.db, t.services.secretBox);
});

/** Adds a dispatch token to anything shaped like an event (a bad event stays as bad as it was). */
const withToken = (e: unknown) =>
  typeof e === 'object' && e !== null && !Array.isArray(e) && typeof (e as UsageEvent).invocationId === 'string'
    ? fleet.signed(e as UsageEvent)
    : e;

const USAGE_TABLES = ['usage_events', 'usage_hourly'] as const;

/** Rows this account holds in each usage table. */
async function rowCounts(accountId: string): Promise<Record<(typeof USAGE_TABLES)[number], number>> {
  const out = {} as Record<(typeof USAGE_TABLES)[number], number>;
  for (const table of USAGE_TABLES) {
    const r = await sql<{ n: string }>`select count(*)::text as n from ${sql.table(table)} where account_id = ${accountId}`.execute(
      t.db.db,
    );
    out[table] = Number(r.rows[0]!.n);
  }
  return out;
}

/** True when this invocation id was stored for any account. */
async function invocationStored(invocationId: string): Promise<boolean> {
  const r = await sql<{ n: string }>`
    select count(*) as n from usage_events where invocation_id = ${invocationId}::uuid`.execute(t.db.db);
  return Number(r.rows[0]!.n) > 0;
}

/** The error shape (docs/architecture.md): `{ error: { code, message, requestId, details? } }`, JSON, no stack trace. */
function expectError(res: LightMyRequestResponse, status: number, code: string, names?: string | RegExp) {
  const body = res.json() as { error: { code: string; message: string; requestId: string; details?: unknown } };
  expect({ status: res.statusCode, code: body.error?.code }, res.body).toEqual({ status, code });
  expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(
    body.error.details === undefined ? ['code', 'message', 'requestId'] : ['code', 'details', 'message', 'requestId'],
  );
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(body.error.requestId).toBe(res.headers['x-request-id']);
  expect(res.body).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  if (typeof names === 'string') {
    // The message names the field as a path (events[3].memoryMb); the details, when present, name
    // the same field and the same event index (as a path or as an index).
    expect(body.error.message).toContain(names);
    if (body.error.details !== undefined) {
      const details = JSON.stringify(body.error.details);
      const index = /\[(\d+)\]/.exec(names)?.[1];
      if (index !== undefined) expect(details).toMatch(new RegExp(`\\[${index}\\]|"index":${index}\\b`));
      expect(details).toContain(names.split(/[.\]]/).filter(Boolean).at(-1)!);
    }
  } else if (names !== undefined) {
    expect(body.error.message).toMatch(names);
    if (body.error.details !== undefined) expect(JSON.stringify(body.error.details)).toMatch(names);
  }
  return body.error;
}

/** Posts a raw body (string) with the given content type. */
function postRaw(key: string, payload: string, contentType = 'application/json') {
  return t.app.inject({ method: 'POST', url: '/v1/usage', headers: { ...bearer(key), 'content-type': contentType }, payload });
}

/**
 * Runs `send`, then checks the answer and that nothing at all was written for the accounts involved,
 * including the valid event put in front of the bad one.
 */
async function expectRefusedWhole(
  accounts: string[],
  validIds: string[],
  send: () => Promise<LightMyRequestResponse>,
  status: number,
  code: string,
  names?: string | RegExp,
) {
  const before = await Promise.all(accounts.map(rowCounts));
  const res = await send();
  const error = expectError(res, status, code, names);
  expect(await Promise.all(accounts.map(rowCounts))).toEqual(before);
  for (const id of validIds) expect(await invocationStored(id)).toBe(false);
  return error;
}

const INF = '"__INFINITY__"';

/** Each case: a valid event first, then a bad one at index 1; the batch must be refused whole. */
interface BodyCase {
  name: string;
  bad: (accountId: string) => Record<string, unknown>;
  field: string;
  raw?: (json: string) => string;
}

const bodyCases: BodyCase[] = [
  { name: 'memoryMb as a string', bad: (a) => ({ ...usageEvent(a), memoryMb: '512' }), field: 'events[1].memoryMb' },
  { name: 'durationMs as a string', bad: (a) => ({ ...usageEvent(a), durationMs: '100' }), field: 'events[1].durationMs' },
  { name: 'initDurationMs as a string', bad: (a) => ({ ...usageEvent(a), initDurationMs: '5' }), field: 'events[1].initDurationMs' },
  { name: 'status as a number', bad: (a) => ({ ...usageEvent(a), status: 1 }), field: 'events[1].status' },
  { name: 'an unknown field', bad: (a) => ({ ...usageEvent(a), colour: 'blue' }), field: 'events[1].colour' },
  { name: 'memoryMb 127', bad: (a) => usageEvent(a, { memoryMb: 127 }), field: 'events[1].memoryMb' },
  { name: 'memoryMb 10241', bad: (a) => usageEvent(a, { memoryMb: 10_241 }), field: 'events[1].memoryMb' },
  { name: 'memoryMb 512.5', bad: (a) => usageEvent(a, { memoryMb: 512.5 }), field: 'events[1].memoryMb' },
  { name: 'negative durationMs', bad: (a) => usageEvent(a, { durationMs: -1 }), field: 'events[1].durationMs' },
  { name: 'durationMs -0.001', bad: (a) => usageEvent(a, { durationMs: -0.001 }), field: 'events[1].durationMs' },
  {
    name: 'durationMs 1e999 (Infinity after JSON.parse)',
    bad: (a) => ({ ...usageEvent(a), durationMs: INF }),
    raw: (json) => json.replace(INF, '1e999'),
    field: 'events[1].durationMs',
  },
  {
    name: 'durationMs -1e999 (-Infinity after JSON.parse)',
    bad: (a) => ({ ...usageEvent(a), durationMs: INF }),
    raw: (json) => json.replace(INF, '-1e999'),
    field: 'events[1].durationMs',
  },
  {
    name: 'initDurationMs 1e999',
    bad: (a) => ({ ...usageEvent(a), initDurationMs: INF }),
    raw: (json) => json.replace(INF, '1e999'),
    field: 'events[1].initDurationMs',
  },
  { name: 'negative initDurationMs', bad: (a) => usageEvent(a, { initDurationMs: -0.5 }), field: 'events[1].initDurationMs' },
  { name: 'ephemeralStorageMb 511', bad: (a) => usageEvent(a, { ephemeralStorageMb: 511 }), field: 'events[1].ephemeralStorageMb' },
  { name: 'negative maxMemoryUsedMb', bad: (a) => usageEvent(a, { maxMemoryUsedMb: -1 }), field: 'events[1].maxMemoryUsedMb' },
  { name: 'unknown architecture', bad: (a) => ({ ...usageEvent(a), architecture: 'aarch64' }), field: 'events[1].architecture' },
  { name: 'unknown status', bad: (a) => ({ ...usageEvent(a), status: 'throttled' }), field: 'events[1].status' },
  { name: 'empty functionId', bad: (a) => usageEvent(a, { functionId: '' }), field: 'events[1].functionId' },
  { name: 'functionId of 257 characters', bad: (a) => usageEvent(a, { functionId: 'f'.repeat(257) }), field: 'events[1].functionId' },
  { name: 'bad invocationId uuid', bad: (a) => usageEvent(a, { invocationId: 'not-a-uuid' }), field: 'events[1].invocationId' },
  {
    name: 'invocationId uuid with a missing digit',
    bad: (a) => usageEvent(a, { invocationId: randomUUID().slice(0, -1) }),
    field: 'events[1].invocationId',
  },
  { name: 'invocationId in braces', bad: (a) => usageEvent(a, { invocationId: `{${randomUUID()}}` }), field: 'events[1].invocationId' },
  // ajv-formats' "uuid" accepts the RFC 4122 URN form; Postgres' uuid type does not.
  {
    name: 'invocationId in urn:uuid: form',
    bad: (a) => usageEvent(a, { invocationId: `urn:uuid:${randomUUID()}` }),
    field: 'events[1].invocationId',
  },
  { name: 'bad accountId uuid', bad: () => usageEvent('acme'), field: 'events[1].accountId' },
  { name: 'startedAt not a date-time', bad: (a) => usageEvent(a, { startedAt: 'yesterday' }), field: 'events[1].startedAt' },
  { name: 'startedAt without a time zone', bad: (a) => usageEvent(a, { startedAt: '2026-11-15T10:30:00' }), field: 'events[1].startedAt' },
  {
    name: 'startedAt on a day that does not exist',
    bad: (a) => usageEvent(a, { startedAt: '2026-02-30T10:30:00Z' }),
    field: 'events[1].startedAt',
  },
  {
    name: 'startedAt a leap second (JavaScript cannot parse it)',
    bad: (a) => usageEvent(a, { startedAt: '2026-06-30T23:59:60Z' }),
    field: 'events[1].startedAt',
  },
  {
    name: 'startedAt two days in the future',
    bad: (a) => usageEvent(a, { startedAt: '2026-11-17T12:00:00.000Z' }),
    field: 'events[1].startedAt',
  },
  { name: 'startedAt far in the future', bad: (a) => usageEvent(a, { startedAt: '2999-01-01T00:00:00Z' }), field: 'events[1].startedAt' },
  { name: 'startedAt before 2000', bad: (a) => usageEvent(a, { startedAt: '1999-12-31T23:00:00Z' }), field: 'events[1].startedAt' },
  {
    // RFC 3339 allows it and JavaScript reads it, but Postgres refuses it: unrefused, it failed the statement, a 500 naming no event.
    name: 'startedAt with a UTC offset of 16 hours, which no time zone has',
    bad: (a) => usageEvent(a, { startedAt: '2026-11-15T20:30:00+16:00' }),
    field: 'events[1].startedAt',
  },
  // The date-time format takes any whitespace between date and time (a tab, a no-break space, U+3000), and
  // JavaScript reads them; the rollups read the text too, and a 500 there names no event (retried for ever).
  ...['\t', '\n', '\u00a0', '\u3000'].map((separator) => ({
    name: `startedAt with ${JSON.stringify(separator)} between its date and time`,
    bad: (a: string) => usageEvent(a, { startedAt: `2026-11-15${separator}10:30:00Z` }),
    field: 'events[1].startedAt',
  })),
  { name: 'a null event', bad: () => null as unknown as Record<string, unknown>, field: 'events[1]' },
  { name: 'an event that is an array', bad: () => [] as unknown as Record<string, unknown>, field: 'events[1]' },
  {
    name: 'an event without durationMs',
    bad: (a) => {
      const { durationMs: _omit, ...rest } = usageEvent(a);
      return rest;
    },
    field: 'events[1]',
  },
  // Postgres text cannot hold U+0000: the api must refuse it rather than fail on insert.
  { name: 'functionId holding a NUL character', bad: (a) => usageEvent(a, { functionId: 'fn\u0000a' }), field: 'events[1].functionId' },
  // A lone UTF-16 surrogate is not Unicode: Postgres would store U+FFFD instead, so the stored event would
  // differ from the one sent (and an identical replay would later be reported as a conflict).
  { name: 'functionId holding a lone surrogate', bad: (a) => usageEvent(a, { functionId: 'fn\ud800' }), field: 'events[1].functionId' },
];

describe('POST /v1/usage refuses bad input whole, with a 4xx naming the field, and writes nothing', () => {
  it('accepts the valid event used as the batch prefix (control)', async () => {
    const control = await newTenant(t.app);
    const res = await postUsage(t.app, control.executorKey, [usageEvent(control.id)]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ accepted: 1, duplicates: 0, conflicts: 0 });
    expect(await rowCounts(control.id)).toEqual({ usage_events: 1, usage_hourly: 1 });
  });

  describe.each([
    { keyName: 'account-scoped executor key', key: () => tenant.executorKey, sign: (e: unknown) => e },
    { keyName: 'fleet executor key', key: () => fleet.key, sign: withToken },
  ])('with a $keyName', ({ key, sign }) => {
    it.each(bodyCases)('$name: 400 naming $field', async ({ bad, field, raw }) => {
      const valid = usageEvent(tenant.id);
      const events = [valid, bad(tenant.id)].map(sign);
      const json = JSON.stringify({ events });
      const error = await expectRefusedWhole(
        [tenant.id],
        [valid.invocationId],
        () => (raw ? postRaw(key(), raw(json)) : postUsage(t.app, key(), events)),
        400,
        'VALIDATION_FAILED',
        field,
      );
      expect(error.message).toMatch(/^events\[1\]/);
    });
  });

  it.each([
    { name: 'malformed JSON', payload: '{"events": [', contentType: 'application/json' },
    { name: 'a trailing comma', payload: '{"events": [],}', contentType: 'application/json' },
    { name: 'an empty body', payload: '', contentType: 'application/json' },
    { name: 'a __proto__ key', payload: '{"events": [], "__proto__": {"x": 1}}', contentType: 'application/json' },
  ])('$name: 400 INVALID_JSON', async ({ payload, contentType }) => {
    await expectRefusedWhole([tenant.id], [], () => postRaw(tenant.executorKey, payload, contentType), 400, 'INVALID_JSON');
  });

  it('malformed JSON after a valid event: 400 INVALID_JSON, nothing written', async () => {
    const valid = usageEvent(tenant.id);
    const payload = JSON.stringify({ events: [valid, usageEvent(tenant.id)] }).slice(0, -3);
    await expectRefusedWhole([tenant.id], [valid.invocationId], () => postRaw(tenant.executorKey, payload), 400, 'INVALID_JSON');
  });

  it.each([
    { contentType: 'application/xml', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    { contentType: 'application/x-www-form-urlencoded', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    // Fastify parses text/plain as a string, which then fails the schema as a body that is not an object.
    { contentType: 'text/plain', status: 400, code: 'VALIDATION_FAILED' },
  ])('a JSON body sent as $contentType: $status $code', async ({ contentType, status, code }) => {
    const valid = usageEvent(tenant.id);
    await expectRefusedWhole(
      [tenant.id],
      [valid.invocationId],
      () => postRaw(tenant.executorKey, JSON.stringify({ events: [valid] }), contentType),
      status,
      code,
    );
  });

  it('a fleet key posting an accountId in urn:uuid: form (passes the uuid format, not Postgres): 400 naming the index', async () => {
    const valid = usageEvent(tenant.id);
    const before = await rowCounts(tenant.id);
    const res = await postUsage(t.app, fleet.key, [valid, usageEvent(`urn:uuid:${tenant.id}`)].map(withToken));
    expect(res.statusCode, res.body).toBe(400);
    expect(['VALIDATION_FAILED', 'UNKNOWN_ACCOUNT']).toContain(res.json().error.code);
    expectError(res, 400, res.json().error.code, 'events[1].accountId');
    expect(await rowCounts(tenant.id)).toEqual(before);
    expect(await invocationStored(valid.invocationId)).toBe(false);
  });

  it.each([
    { name: 'a batch of 0 events', body: () => ({ events: [] }), field: 'events' },
    { name: 'missing events', body: () => ({}), field: /events/ },
    { name: 'events not an array', body: () => ({ events: usageEvent(tenant.id) }), field: 'events' },
    { name: 'an unknown top-level field', body: () => ({ events: [usageEvent(tenant.id)], dryRun: true }), field: /dryRun/ },
    { name: 'a body that is an array', body: () => [usageEvent(tenant.id)], field: /body/ },
    { name: 'a body that is null', body: () => null, field: /body/ },
  ])('$name: 400 VALIDATION_FAILED', async ({ body, field }) => {
    const payload = JSON.stringify(body());
    await expectRefusedWhole([tenant.id], [], () => postRaw(tenant.executorKey, payload), 400, 'VALIDATION_FAILED', field);
  });

  it('a batch of 10,001 events: 400 naming events, nothing written', async () => {
    const events = Array.from({ length: 10_001 }, () => usageEvent(tenant.id));
    const error = await expectRefusedWhole(
      [tenant.id],
      [events[0]!.invocationId, events[10_000]!.invocationId],
      () => postUsage(t.app, tenant.executorKey, events),
      400,
      'VALIDATION_FAILED',
      'events',
    );
    expect(error.message).toMatch(/10000/);
  });

  it('a body over the size limit: 413 PAYLOAD_TOO_LARGE, nothing written', async () => {
    const small = await buildApp({ db: t.db.db, clock: t.clock, logger: silentLogger(), adminKey: ADMIN_KEY, bodyLimitBytes: 2048 });
    try {
      await small.ready();
      const events = Array.from({ length: 20 }, () => usageEvent(tenant.id));
      expect(JSON.stringify({ events }).length).toBeGreaterThan(2048);
      const res = await expectRefusedWhole(
        [tenant.id],
        events.map((e) => e.invocationId),
        () => postUsage(small, tenant.executorKey, events),
        413,
        'PAYLOAD_TOO_LARGE',
      );
      expect(res.message).toMatch(/larger/);
      // The same app takes a batch under the limit (the limit is what refused the first one).
      const spare = await newTenant(t.app);
      const ok = await postUsage(small, spare.executorKey, [usageEvent(spare.id)]);
      expect(ok.statusCode).toBe(200);
    } finally {
      await small.close();
    }
  });

  describe('keys', () => {
    it('no key: 401 UNAUTHENTICATED', async () => {
      const valid = usageEvent(tenant.id);
      await expectRefusedWhole(
        [tenant.id],
        [valid.invocationId],
        () => t.app.inject({ method: 'POST', url: '/v1/usage', payload: { events: [valid] } }),
        401,
        'UNAUTHENTICATED',
      );
    });

    it.each([
      { name: 'an unknown key', header: 'Bearer tly_exe_0000000000000000000000' },
      { name: 'a Basic header', header: 'Basic dXNlcjpwYXNz' },
      { name: 'an empty bearer', header: 'Bearer ' },
    ])('$name: 401 UNAUTHENTICATED', async ({ header }) => {
      const valid = usageEvent(tenant.id);
      await expectRefusedWhole(
        [tenant.id],
        [valid.invocationId],
        () => t.app.inject({ method: 'POST', url: '/v1/usage', headers: { authorization: header }, payload: { events: [valid] } }),
        401,
        'UNAUTHENTICATED',
      );
    });

    it('a revoked executor key: 401 UNAUTHENTICATED', async () => {
      const created = await t.app.inject({
        method: 'POST',
        url: `/v1/accounts/${tenant.id}/keys`,
        headers: admin,
        payload: { role: 'executor' },
      });
      expect(created.statusCode).toBe(201);
      const { id: keyId, key } = created.json() as { id: string; key: string };
      // Before revocation the key gets past authentication (an empty batch is a 400, not a 401).
      expectError(await postUsage(t.app, key, []), 400, 'VALIDATION_FAILED', 'events');
      const revoked = await t.app.inject({ method: 'DELETE', url: `/v1/keys/${keyId}`, headers: admin });
      expect(revoked.statusCode).toBe(200);
      const valid = usageEvent(tenant.id);
      await expectRefusedWhole([tenant.id], [valid.invocationId], () => postUsage(t.app, key, [valid]), 401, 'UNAUTHENTICATED');
    });

    it.each([
      { name: 'an account key', key: () => tenant.accountKey },
      { name: 'the admin key', key: () => ADMIN_KEY },
    ])('$name instead of an executor key: 403 FORBIDDEN', async ({ key }) => {
      const valid = usageEvent(tenant.id);
      await expectRefusedWhole([tenant.id], [valid.invocationId], () => postUsage(t.app, key(), [valid]), 403, 'FORBIDDEN');
    });

    it("an account-scoped executor key posting another account's event: 403, the whole batch refused", async () => {
      const own = usageEvent(tenant.id);
      const foreign = usageEvent(other.id);
      const error = await expectRefusedWhole(
        [tenant.id, other.id],
        [own.invocationId, foreign.invocationId],
        () => postUsage(t.app, tenant.executorKey, [own, usageEvent(tenant.id), foreign]),
        403,
        'FORBIDDEN',
        'events[2].accountId',
      );
      expect(error.message).toMatch(/refused whole/);
    });

    it('an account-scoped executor key posting an event of an account that does not exist: 403, nothing written', async () => {
      const own = usageEvent(tenant.id);
      await expectRefusedWhole(
        [tenant.id],
        [own.invocationId],
        () => postUsage(t.app, tenant.executorKey, [own, usageEvent(randomUUID())]),
        403,
        'FORBIDDEN',
        'events[1].accountId',
      );
    });

    it('a fleet executor key posting an event for an account that does not exist: 400 UNKNOWN_ACCOUNT naming the index', async () => {
      const valid = usageEvent(tenant.id);
      const ghost = randomUUID();
      const error = await expectRefusedWhole(
        [tenant.id, ghost],
        [valid.invocationId],
        () => postUsage(t.app, fleet.key, [valid, usageEvent(other.id), usageEvent(ghost), usageEvent(tenant.id)].map(withToken)),
        400,
        'UNKNOWN_ACCOUNT',
        'events[2].accountId',
      );
      expect(error.message).toContain(ghost);
      expect(error.details).toEqual([{ index: 2, accountId: ghost }]);
      expect(await rowCounts(other.id)).toEqual({ usage_events: 0, usage_hourly: 0 });
    });
  });
});
