import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AsyncWorker, startAsyncWorker } from '../../src/jobs/async-worker.js';
import { createAsyncRepository } from '../../src/modules/async/async.repository.js';
import { newTenant } from '../helpers/app.js';
import { call, deploy, makeZip, until, useFunctionsApp } from '../helpers/functions.js';
import { receiver } from '../helpers/brokers.js';

/**
 * Review of event-invoke configuration per qualifier (docs/events.md, "Per alias or version"): deleting a
 * configuration (or its alias) cancels its pending webhook deliveries, so that an alias made again under the name
 * starts from nothing. A delivery still pending then must never go out signed with the new configuration's secret.
 */
const t = useFunctionsApp({
  deps: {
    events: { retryBaseMs: 200, leaseMs: 3_000 },
    // The receivers of these tests listen on loopback.
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

const deliveryOf = async (accountId: string, requestId: string) =>
  (
    await sql<{ status: string; attempts: number }>`
      select status, attempts from async_destination_deliveries where account_id = ${accountId} and request_id = ${requestId}`.execute(
      t.db.db,
    )
  ).rows[0];

describe('review: pending webhook deliveries of a deleted event-invoke configuration', () => {
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
