import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AsyncWorker, startAsyncWorker } from '../../src/jobs/async-worker.js';
import { createAsyncRepository } from '../../src/modules/async/async.repository.js';
import { newTenant } from '../helpers/app.js';
import { call, deploy, makeZip, until, useFunctionsApp } from '../helpers/functions.js';
import { receiver } from '../helpers/brokers.js';

const t = useFunctionsApp({
  deps: {
    events: { retryBaseMs: 200, leaseMs: 3_000 },
    // The receiver of these tests listens on loopback.
    webhooks: { allowPrivate: true },
  },
});
let worker: AsyncWorker;
beforeAll(() => {
  worker = startAsyncWorker({ events: t.services.events, log: t.app.log, options: { pollMs: 50 } });
});
afterAll(() => worker?.stop());

const FAILS = makeZip([{ name: 'index.js', data: "exports.handler = async () => { throw new TypeError('no good'); };\n" }]);

const signedWith = (secret: string, r: { headers: Record<string, string | string[] | undefined>; body: string }) =>
  r.headers['x-tally-signature'] ===
  `sha256=${createHmac('sha256', secret).update(`${r.headers['x-tally-timestamp']}.${r.body}`).digest('hex')}`;

/** `f` (always failing) with version 1 published and the alias `live` on it. */
async function withAlias(key: string, name = 'f') {
  await deploy(t.base, key, name, FAILS);
  expect((await call(t.base, key, 'POST', `/v1/functions/${name}/published-versions`, {})).status).toBe(201);
  expect((await call(t.base, key, 'PUT', `/v1/functions/${name}/aliases/live`, { version: 1 })).status).toBe(200);
}

const config = (key: string, method: string, query = '', body?: unknown) =>
  call(t.base, key, method, `/v1/functions/f/event-invoke-config${query}`, body);

/** Queues an event through `query` (?alias=, ?version=, or nothing) and waits until it settled. */
async function settledEvent(key: string, query: string) {
  const r = await call(t.base, key, 'POST', `/v1/functions/f/invoke${query}`, {}, { 'x-tally-invocation-type': 'Event' });
  expect(r.status, r.text).toBe(202);
  return until(`the event through ${query || 'the function'}`, async () => {
    const d = (await call(t.base, key, 'GET', `/v1/invocations/${r.json.requestId}`)).json;
    return ['succeeded', 'failed', 'expired'].includes(d.status) ? d : null;
  });
}

const rowsOf = async (accountId: string) =>
  (
    await sql<{ qualifier: string | null }>`
      select qualifier from event_invoke_configs where account_id = ${accountId} order by qualifier is not null, qualifier`.execute(t.db.db)
  ).rows.map((r) => r.qualifier);

describe('event-invoke-config per alias or version (?qualifier=)', () => {
  it("an alias's configuration applies to events through the alias, $LATEST's to unqualified ones, and the reverse", async () => {
    const hook = await receiver();
    try {
      const a = await newTenant(t.app);
      await withAlias(a.accountKey);
      const live = await config(a.accountKey, 'PUT', '?qualifier=live', {
        maximumRetryAttempts: 0,
        destinations: { onFailure: { type: 'webhook', url: hook.url } },
      });
      expect(live.status, live.text).toBe(200);
      expect(live.json).toMatchObject({ functionName: 'f', qualifier: 'live', maximumRetryAttempts: 0 });
      const liveSecret = live.json.webhookSecret as string;
      expect(liveSecret).toMatch(/^whsec_/);
      const latest = await config(a.accountKey, 'PUT', '', { maximumRetryAttempts: 1 });
      expect(latest.json).toMatchObject({ qualifier: '$LATEST', maximumRetryAttempts: 1, destinations: {} });

      // Through the alias: live's configuration (no retry, its webhook, signed with its own secret).
      expect(await settledEvent(a.accountKey, '?alias=live')).toMatchObject({ status: 'failed', attempts: 1 });
      await until('the alias record', async () => hook.got.length === 1);
      const record = JSON.parse(hook.got[0]!.body);
      expect(record.requestContext).toMatchObject({
        functionArn: `arn:aws:lambda:us-east-1:${a.id}:function:f:live`,
        condition: 'RetriesExhausted',
      });
      expect(signedWith(liveSecret, hook.got[0]!)).toBe(true);
      // Unqualified: $LATEST's (one retry, no destination).
      expect(await settledEvent(a.accountKey, '')).toMatchObject({ status: 'failed', attempts: 2 });
      // A version has none of its own: the defaults (two retries), not $LATEST's nor the alias's.
      expect(await settledEvent(a.accountKey, '?version=1')).toMatchObject({ status: 'failed', attempts: 3 });
      await new Promise((r) => setTimeout(r, 500));
      expect(hook.got).toHaveLength(1);

      // The reverse: $LATEST gets the webhook (a secret of its own), the alias falls back to nothing.
      const latest2 = await config(a.accountKey, 'PUT', '', {
        maximumRetryAttempts: 0,
        destinations: { onFailure: { type: 'webhook', url: hook.url } },
      });
      const latestSecret = latest2.json.webhookSecret as string;
      expect(latestSecret).toMatch(/^whsec_/);
      expect(latestSecret).not.toBe(liveSecret);
      expect((await config(a.accountKey, 'DELETE', '?qualifier=live')).status).toBe(204);
      expect(await settledEvent(a.accountKey, '')).toMatchObject({ status: 'failed', attempts: 1 });
      await until('the $LATEST record', async () => hook.got.length === 2);
      expect(JSON.parse(hook.got[1]!.body).requestContext.functionArn).toBe(`arn:aws:lambda:us-east-1:${a.id}:function:f:$LATEST`);
      expect(signedWith(latestSecret, hook.got[1]!)).toBe(true);
      expect(await settledEvent(a.accountKey, '?alias=live')).toMatchObject({ status: 'failed', attempts: 3 });
      // A version's own configuration, for events through that version.
      await config(a.accountKey, 'PUT', '?qualifier=1', { maximumRetryAttempts: 0 });
      expect(await settledEvent(a.accountKey, '?version=1')).toMatchObject({ status: 'failed', attempts: 1 });
      await new Promise((r) => setTimeout(r, 500));
      expect(hook.got).toHaveLength(2);
    } finally {
      await hook.close();
    }
  });

  it('reads, lists and deletes each configuration; refuses an unknown alias or version and a bad name, writing nothing', async () => {
    const a = await newTenant(t.app);
    await withAlias(a.accountKey);
    // Never set: the defaults, for the function and for an alias alike.
    expect((await config(a.accountKey, 'GET', '?qualifier=live')).json).toMatchObject({
      qualifier: 'live',
      maximumRetryAttempts: 2,
      maximumEventAgeS: 21600,
      lastModified: null,
    });
    expect((await config(a.accountKey, 'PUT', '?qualifier=live', { maximumEventAgeS: 120 })).status).toBe(200);
    expect((await config(a.accountKey, 'PUT', '?qualifier=01', { maximumRetryAttempts: 1 })).json.qualifier).toBe('1');
    expect((await config(a.accountKey, 'PUT', '?qualifier=$LATEST', { maximumRetryAttempts: 0 })).json.qualifier).toBe('$LATEST');
    expect((await config(a.accountKey, 'GET')).json).toMatchObject({ maximumRetryAttempts: 0, maximumEventAgeS: 21600 });
    expect((await config(a.accountKey, 'GET', '?qualifier=live')).json).toMatchObject({ maximumRetryAttempts: 2, maximumEventAgeS: 120 });
    const list = await call(t.base, a.accountKey, 'GET', '/v1/functions/f/event-invoke-configs');
    expect(list.json.configs.map((c: { qualifier: string }) => c.qualifier)).toEqual(['$LATEST', '1', 'live']);
    const before = await rowsOf(a.id);
    expect(before).toEqual([null, '1', 'live']);

    for (const [query, status, code] of [
      ['?qualifier=nope', 404, 'FUNCTION_NOT_FOUND'],
      ['?qualifier=7', 404, 'FUNCTION_NOT_FOUND'],
      ['?qualifier=a.b', 400, 'VALIDATION_FAILED'],
      ['?qualifier=', 400, 'VALIDATION_FAILED'],
    ] as const) {
      for (const method of ['PUT', 'GET', 'DELETE']) {
        const r = await config(a.accountKey, method, query, method === 'PUT' ? { maximumRetryAttempts: 1 } : undefined);
        expect([r.status, r.json.error.code], `${method} ${query}`).toEqual([status, code]);
      }
    }
    expect((await config(a.accountKey, 'PUT', '?qualifier=nope', { maximumRetryAttempts: 1 })).json.error.message).toBe(
      'qualifier: function f has no alias or published version nope',
    );
    // A bad body is refused before anything is written, for an alias too.
    expect((await config(a.accountKey, 'PUT', '?qualifier=live', { maximumRetryAttempts: 3 })).status).toBe(400);
    expect(await rowsOf(a.id)).toEqual(before);

    expect((await config(a.accountKey, 'DELETE', '?qualifier=1')).status).toBe(204);
    const again = await config(a.accountKey, 'DELETE', '?qualifier=1');
    expect([again.status, again.json.error.message]).toEqual([404, 'f:1 has no event-invoke-config']);
    expect(await rowsOf(a.id)).toEqual([null, 'live']);
  });

  it('deleting an alias deletes its configuration (a new alias of that name starts from the defaults); the database keeps one per qualifier', async () => {
    const a = await newTenant(t.app);
    await withAlias(a.accountKey);
    await config(a.accountKey, 'PUT', '?qualifier=live', { maximumRetryAttempts: 0 });
    await config(a.accountKey, 'PUT', '', { maximumRetryAttempts: 1 });
    expect((await call(t.base, a.accountKey, 'DELETE', '/v1/functions/f/aliases/live')).status).toBe(204);
    expect(await rowsOf(a.id)).toEqual([null]);
    expect((await call(t.base, a.accountKey, 'PUT', '/v1/functions/f/aliases/live', { version: 1 })).status).toBe(200);
    expect((await config(a.accountKey, 'GET', '?qualifier=live')).json).toMatchObject({ maximumRetryAttempts: 2, lastModified: null });

    // The constraints behind it: no configuration of an alias that does not exist, no second $LATEST row.
    const fnId = (await call(t.base, a.accountKey, 'GET', '/v1/functions/f')).json.id as string;
    const insert = (qualifier: string | null) =>
      sql`
        insert into event_invoke_configs (account_id, function_id, qualifier, maximum_retry_attempts, maximum_event_age_s, updated_at)
        values (${a.id}, ${fnId}, ${qualifier}, 0, 60, now())`
        .execute(t.db.db)
        .then(
          () => 'written',
          (err: { code?: string }) => err.code,
        );
    expect(await insert('gone')).toBe('23503');
    expect(await insert(null)).toBe('23505');
    expect(await insert('03')).toBe('23514');

    expect((await call(t.base, a.accountKey, 'DELETE', '/v1/functions/f')).status).toBe(204);
    expect(await rowsOf(a.id)).toEqual([]);
  });

  it("another account can neither read, list, write nor delete a function's configurations, nor name its aliases", async () => {
    const a = await newTenant(t.app);
    const b = await newTenant(t.app);
    await withAlias(a.accountKey);
    await config(a.accountKey, 'PUT', '?qualifier=live', { maximumRetryAttempts: 0 });
    for (const [method, query] of [
      ['GET', '?qualifier=live'],
      ['PUT', '?qualifier=live'],
      ['DELETE', '?qualifier=live'],
      ['GET', ''],
    ] as const) {
      const r = await config(b.accountKey, method, query, method === 'PUT' ? { maximumRetryAttempts: 1 } : undefined);
      expect([r.status, r.json.error.code], `${method} ${query}`).toEqual([404, 'FUNCTION_NOT_FOUND']);
    }
    expect((await call(t.base, b.accountKey, 'GET', '/v1/functions/f/event-invoke-configs')).status).toBe(404);
    // b's own f without an alias: a's alias is not b's to configure.
    await deploy(t.base, b.accountKey, 'f', FAILS);
    expect((await config(b.accountKey, 'PUT', '?qualifier=live', { maximumRetryAttempts: 1 })).status).toBe(404);
    expect((await config(b.accountKey, 'PUT', '', { maximumRetryAttempts: 1 })).status).toBe(200);
    expect(await rowsOf(a.id)).toEqual(['live']);
    expect(await rowsOf(b.id)).toEqual([null]);
    expect((await config(a.accountKey, 'GET', '?qualifier=live')).json.maximumRetryAttempts).toBe(0);
  });
});

const deliveryOf = async (accountId: string, requestId: string) =>
  (
    await sql<{ status: string; attempts: number }>`
      select status, attempts from async_destination_deliveries where account_id = ${accountId} and request_id = ${requestId}`.execute(
      t.db.db,
    )
  ).rows[0];

/**
 * Event-invoke configuration per qualifier (docs/events.md, "Per alias or version"): deleting a
 * configuration (or its alias) cancels its pending webhook deliveries, so that an alias made again under the name
 * starts from nothing. A delivery still pending then must never go out signed with the new configuration's secret.
 */
describe('pending webhook deliveries of a deleted event-invoke configuration', () => {
  it.each([
    ['its alias is deleted and made again', 'alias'],
    ['the configuration is deleted and set again', 'config'],
  ])('%s: the pending delivery is cancelled, never signed with the new configuration secret', async (_what, how) => {
    // The old endpoint is down (500): the record stays pending for a retry.
    const old = await receiver(500);
    const fresh = await receiver(204);
    try {
      const a = await newTenant(t.app);
      const key = a.accountKey;
      await deploy(t.base, key, 'f', FAILS);
      expect((await call(t.base, key, 'POST', '/v1/functions/f/published-versions', {})).status).toBe(201);
      expect((await call(t.base, key, 'PUT', '/v1/functions/f/aliases/live', { version: 1 })).status).toBe(200);
      const config = (method: string, body?: unknown) =>
        call(t.base, key, method, '/v1/functions/f/event-invoke-config?qualifier=live', body);
      const first = await config('PUT', { maximumRetryAttempts: 0, destinations: { onFailure: { type: 'webhook', url: old.url } } });
      expect(first.status, first.text).toBe(200);
      const oldSecret = first.json.webhookSecret as string;

      const r = await call(t.base, key, 'POST', '/v1/functions/f/invoke?alias=live', {}, { 'x-tally-invocation-type': 'Event' });
      expect(r.status, r.text).toBe(202);
      const requestId = r.json.requestId as string;
      await until('the first attempt refused', async () => old.got.length === 1 && (await deliveryOf(a.id, requestId))?.attempts === 1);
      expect(signedWith(oldSecret, old.got[0]!)).toBe(true);
      expect((await deliveryOf(a.id, requestId))!.status).toBe('pending');

      if (how === 'alias') {
        // The alias goes (and its configuration with it), and a new alias of the name gets a configuration of its own.
        expect((await call(t.base, key, 'DELETE', '/v1/functions/f/aliases/live')).status).toBe(204);
        expect((await call(t.base, key, 'PUT', '/v1/functions/f/aliases/live', { version: 1 })).status).toBe(200);
      } else {
        expect((await config('DELETE')).status).toBe(204);
      }
      const second = await config('PUT', { maximumRetryAttempts: 0, destinations: { onFailure: { type: 'webhook', url: fresh.url } } });
      expect(second.status, second.text).toBe(200);
      const newSecret = second.json.webhookSecret as string;
      expect(newSecret).toMatch(/^whsec_/);
      expect(newSecret).not.toBe(oldSecret);

      // The retry comes due.
      await sql`update async_destination_deliveries set next_attempt_at = now() where account_id = ${a.id} and request_id = ${requestId}`.execute(
        t.db.db,
      );
      await until('the delivery settled', async () => (await deliveryOf(a.id, requestId))!.status !== 'pending' || old.got.length > 1);
      await new Promise((res) => setTimeout(res, 300));
      // Cancelled: the old endpoint never got a record signed with the new configuration's secret.
      expect(old.got.filter((x) => signedWith(newSecret, x))).toEqual([]);
      expect(old.got).toHaveLength(1);
      expect((await deliveryOf(a.id, requestId))!.status).toBe('cancelled');
      expect(fresh.got).toEqual([]);
    } finally {
      await old.close();
      await fresh.close();
    }
  });

  it('an attempt that was in flight when its configuration was deleted leaves the delivery cancelled (a failure does not make it pending again)', async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'f', FAILS);
    const fnId = (await call(t.base, a.accountKey, 'GET', '/v1/functions/f')).json.id as string;
    const put = await call(t.base, a.accountKey, 'PUT', '/v1/functions/f/event-invoke-config', {
      destinations: { onFailure: { type: 'webhook', url: 'http://127.0.0.1:9/hook' } },
    });
    expect(put.status, put.text).toBe(200);
    // A delivery of $LATEST's configuration whose attempt is under way (not due again for an hour).
    const requestId = '00000000-0000-4000-8000-00000000d001';
    await sql`
      insert into async_destination_deliveries (account_id, request_id, function_id, url, body, status, attempts, next_attempt_at, give_up_at)
      values (${a.id}, ${requestId}, ${fnId}, 'http://127.0.0.1:9/hook', '{}', 'pending', 1, now() + interval '1 hour', now() + interval '3 days')`.execute(
      t.db.db,
    );
    expect((await call(t.base, a.accountKey, 'DELETE', '/v1/functions/f/event-invoke-config')).status).toBe(204);
    expect((await deliveryOf(a.id, requestId))!.status).toBe('cancelled');
    // The attempt ends, refused: the delivery stays cancelled, or its next attempt would find a configuration set since.
    const repo = createAsyncRepository(t.db.db);
    expect(await repo.recordDelivery(a.id, requestId, false, new Date(), 'HTTP 500')).toBe('cancelled');
    expect((await deliveryOf(a.id, requestId))!.status).toBe('cancelled');
  });
});
