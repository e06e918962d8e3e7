import { createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAsyncWorker, type AsyncWorker } from '../../src/jobs/async-worker.js';
import { newTenant } from '../helpers/app.js';
import { receiver } from '../helpers/brokers.js';
import { burn, createBudget, payingTenant } from '../helpers/budgets.js';
import { call, deploy, makeZip, shiftedClock, until, usageTotals, useFunctionsApp } from '../helpers/functions.js';

const RETRY_BASE_MS = 300;
const clock = shiftedClock();
const t = useFunctionsApp({
  deps: {
    clock,
    events: { retryBaseMs: RETRY_BASE_MS, leaseMs: 3_000 },
    // The receivers of these tests listen on loopback (the address rules are budget alerts', tested there).
    webhooks: { allowPrivate: true },
  },
});
let worker: AsyncWorker;
beforeAll(() => {
  worker = startAsyncWorker({ events: t.services.events, log: t.app.log, options: { pollMs: 50 } });
});
afterAll(() => worker?.stop());

const TOOLS = `
exports.handler = async (event) => ({ got: event });
exports.fail = async () => { throw new TypeError('no good'); };
`;
const zip = makeZip([{ name: 'index.js', data: TOOLS }]);

const event = (key: string, name: string, body: unknown = {}, type = 'Event') =>
  call(t.base, key, 'POST', `/v1/functions/${name}/invoke`, body, { 'x-tally-invocation-type': type });
const describeInvocation = async (key: string, id: string) => (await call(t.base, key, 'GET', `/v1/invocations/${id}`)).json;
const settled = (key: string, id: string) =>
  until(`invocation ${id} settled`, async () => {
    const d = await describeInvocation(key, id);
    return ['succeeded', 'failed', 'expired'].includes(d.status) ? d : null;
  });

describe('asynchronous invoke (X-Tally-Invocation-Type: Event)', () => {
  it('answers 202 with the request id, runs the event once through the metered path, and shows it', async () => {
    const a = await newTenant(t.app);
    const fn = await deploy(t.base, a.accountKey, 'echo', zip);
    const r = await event(a.accountKey, 'echo', { hello: 'async' });
    expect(r.status).toBe(202);
    expect(r.json.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers.get('x-tally-request-id')).toBe(r.json.requestId);
    const done = await settled(a.accountKey, r.json.requestId);
    expect(done).toMatchObject({ requestId: r.json.requestId, functionName: 'echo', type: 'async', status: 'succeeded', attempts: 1 });
    expect(done.invocationIds).toHaveLength(1);
    // The run is an ordinary invocation: metered under the attempt's invocation id.
    await until('usage', async () => (await usageTotals(t.base, a.accountKey, 'echo')).requests === 1);
    const sync = await describeInvocation(a.accountKey, done.invocationIds[0]);
    expect(sync.requestId).toBe(r.json.requestId);
    expect(fn.name).toBe('echo');

    const list = await call(t.base, a.accountKey, 'GET', '/v1/functions/echo/invocations?status=succeeded');
    expect(list.json.invocations.map((i: { requestId: string }) => i.requestId)).toEqual([r.json.requestId]);
    expect((await call(t.base, a.accountKey, 'GET', '/v1/functions/echo/invocations?status=failed')).json.invocations).toEqual([]);
  });

  it('shows a synchronous invocation once its usage arrived; DryRun answers 204; limits and unknown names are refused', async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'echo', zip);
    const s = await call(t.base, a.accountKey, 'POST', '/v1/functions/echo/invoke', {});
    const id = s.headers.get('x-tally-request-id')!;
    const sync = await until('sync usage', async () => {
      const r = await call(t.base, a.accountKey, 'GET', `/v1/invocations/${id}`);
      return r.status === 200 ? r.json : null;
    });
    expect(sync).toEqual({ requestId: id, functionName: 'echo', type: 'sync', status: 'succeeded', attempts: 1 });

    expect((await event(a.accountKey, 'echo', {}, 'DryRun')).status).toBe(204);
    expect((await event(a.accountKey, 'nope', {}, 'DryRun')).json.error.code).toBe('FUNCTION_NOT_FOUND');
    expect((await event(a.accountKey, 'nope')).status).toBe(404);
    const big = await event(a.accountKey, 'echo', { pad: 'x'.repeat(256 * 1024) });
    expect([big.status, big.json.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect((await event(a.accountKey, 'echo', { pad: 'x'.repeat(250 * 1024) })).status).toBe(202);
    expect((await event(a.accountKey, 'echo', {}, 'Sometimes')).status).toBe(400);
    expect((await call(t.base, a.accountKey, 'GET', `/v1/invocations/${randomUUID()}`)).json.error.code).toBe('INVOCATION_NOT_FOUND');
    // Another account's invocation is not found either.
    const b = await newTenant(t.app);
    expect((await call(t.base, b.accountKey, 'GET', `/v1/invocations/${id}`)).status).toBe(404);
  });

  it('refuses a function as its own destination, for any of its qualifiers: one event would run (and be billed) 17 times', async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'loop', zip);
    await call(t.base, a.accountKey, 'POST', '/v1/functions/loop/published-versions', {});
    await call(t.base, a.accountKey, 'PUT', '/v1/functions/loop/aliases/live', { version: 1 });
    for (const path of ['/v1/functions/loop/event-invoke-config', '/v1/functions/loop/event-invoke-config?qualifier=live']) {
      for (const destinations of [
        { onSuccess: { type: 'function', function: 'loop' } },
        { onFailure: { type: 'function', function: 'loop' } },
      ]) {
        const r = await call(t.base, a.accountKey, 'PUT', path, { destinations });
        expect([r.status, r.json.error?.code], `${path} ${JSON.stringify(destinations)}`).toEqual([400, 'VALIDATION_FAILED']);
        expect(r.json.error.message).toMatch(/cannot be its own destination/);
      }
    }
    // Nothing was written: the configuration is still the defaults, without destinations.
    expect((await call(t.base, a.accountKey, 'GET', '/v1/functions/loop/event-invoke-config')).json.destinations).toEqual({});
  });

  it('retries a failing function maximumRetryAttempts times, about base and twice base apart, then fails', async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'fails', zip, { handler: 'index.fail' });
    const r = await event(a.accountKey, 'fails', { n: 1 });
    const done = await settled(a.accountKey, r.json.requestId);
    expect(done).toMatchObject({ status: 'failed', attempts: 3, lastError: 'TypeError: no good' });
    const claimed = await sql<{ claimed_at: Date }>`
      select claimed_at from async_attempts where request_id = ${r.json.requestId} order by claimed_at`.execute(t.db.db);
    const gaps = claimed.rows.slice(1).map((row, i) => row.claimed_at.getTime() - claimed.rows[i]!.claimed_at.getTime());
    expect(gaps[0]).toBeGreaterThanOrEqual(RETRY_BASE_MS * 0.85);
    expect(gaps[1]).toBeGreaterThanOrEqual(RETRY_BASE_MS * 2 * 0.85);
    await until('usage', async () => (await usageTotals(t.base, a.accountKey, 'fails')).errors === 3);

    const put = await call(t.base, a.accountKey, 'PUT', '/v1/functions/fails/event-invoke-config', { maximumRetryAttempts: 0 });
    expect(put.json).toMatchObject({ maximumRetryAttempts: 0, maximumEventAgeS: 21600, destinations: {} });
    const once = await settled(a.accountKey, (await event(a.accountKey, 'fails')).json.requestId);
    expect(once).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('retries throttles without using attempts, and expires an event past maximumEventAgeS to its failure destination', async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'blocked', zip, { reservedConcurrency: 0 });
    await deploy(t.base, a.accountKey, 'later', zip);
    expect(
      (
        await call(t.base, a.accountKey, 'PUT', '/v1/functions/blocked/event-invoke-config', {
          maximumEventAgeS: 60,
          destinations: { onFailure: { type: 'function', function: 'later' } },
        })
      ).status,
    ).toBe(200);
    const r = await event(a.accountKey, 'blocked', { keep: 'me' });
    const throttled = await until('throttles', async () => {
      const d = await describeInvocation(a.accountKey, r.json.requestId);
      return d.throttles >= 2 ? d : null;
    });
    // Throttles use no attempt; the record is queued between tries, or running when read during one.
    expect(throttled.attempts).toBe(0);
    expect(['queued', 'running']).toContain(throttled.status);
    clock.advance(61_000);
    const done = await settled(a.accountKey, r.json.requestId);
    expect(done).toMatchObject({ status: 'expired', attempts: 0 });
    expect(done.destination).toMatch(/^function later \(request .+\)$/);
    const list = await until('destination ran', async () => {
      const l = (await call(t.base, a.accountKey, 'GET', '/v1/functions/later/invocations?status=succeeded')).json;
      return l.invocations.length > 0 ? l : null;
    });
    expect(list.invocations[0]).toMatchObject({ source: 'destination', attempts: 1 });
    // The record as the destination got it: its request is kept for the whole record while queued, then dropped.
    const row = await sql<{ source_key: string; chain_depth: number }>`
      select source_key, chain_depth from async_invocations where id = ${list.invocations[0].requestId}`.execute(t.db.db);
    expect(row.rows[0]).toEqual({ source_key: r.json.requestId, chain_depth: 1 });
  });

  it('a hard budget cap refuses new events (402) and holds queued ones until it lifts', async () => {
    const a = await payingTenant(t.app);
    await deploy(t.base, a.accountKey, 'echo', zip);
    // Queued while not capped but not yet runnable: the function refuses everything for now.
    await call(t.base, a.accountKey, 'PATCH', '/v1/functions/echo/configuration', { reservedConcurrency: 0 });
    await new Promise((r) => setTimeout(r, 2_100)); // the function cache's TTL
    const queued = await event(a.accountKey, 'echo', { n: 1 });
    expect(queued.status).toBe(202);
    const cap = await createBudget(t.app, a.accountKey, { amount: '0.10', hardCap: true, thresholds: [100] });
    await burn(t.app, a, 1, { at: new Date(clock.now().getTime() - 60_000) });
    await t.services.budgets.evaluate([a.id], 'schedule');
    expect(t.services.budgets.capFor(a.id, null)).toMatchObject({ budgetId: cap.id });
    const refused = await event(a.accountKey, 'echo', { n: 2 });
    expect([refused.status, refused.json.error.code]).toEqual([402, 'BUDGET_EXCEEDED']);

    await call(t.base, a.accountKey, 'PATCH', '/v1/functions/echo/configuration', { reservedConcurrency: null });
    const held = await until('held by the cap', async () => {
      const d = await describeInvocation(a.accountKey, queued.json.requestId);
      return d.lastError?.includes('hard cap') ? d : null;
    });
    expect(held).toMatchObject({ status: 'queued', attempts: 0 });
    // Held, it is rechecked without being claimed: a claim writes an attempt row each time (append-only), which
    // over a cap lasting the event's six hours came to thousands of rows per event.
    const attemptRows = async () =>
      Number(
        (await sql<{ n: string }>`select count(*) as n from async_attempts where request_id = ${queued.json.requestId}`.execute(t.db.db))
          .rows[0]!.n,
      );
    const before = await attemptRows();
    for (let i = 0; i < 3; i++) {
      clock.advance(6_000); // past CAP_RECHECK_MS: the event falls due again
      await worker.pump();
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await attemptRows()).toBe(before);
    expect(await describeInvocation(a.accountKey, queued.json.requestId)).toMatchObject({ status: 'queued', attempts: 0 });
    await call(t.base, a.accountKey, 'PATCH', `/v1/budgets/${cap.id}`, { hardCap: false });
    const done = await settled(a.accountKey, queued.json.requestId);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 1 });
  });
});

describe('destinations', () => {
  it('sends one signed record per outcome to a webhook, and chains a function destination', async () => {
    const server = await receiver(204);
    const received = server.got;
    const hook = server.url;
    try {
      const a = await newTenant(t.app);
      await deploy(t.base, a.accountKey, 'first', zip);
      await deploy(t.base, a.accountKey, 'second', zip);
      await deploy(t.base, a.accountKey, 'broken', zip, { handler: 'index.fail' });
      const noSuch = await call(t.base, a.accountKey, 'PUT', '/v1/functions/second/event-invoke-config', {
        destinations: { onSuccess: { type: 'function', function: 'nope' } },
      });
      expect(noSuch.json.error.message).toMatch(/^destinations.onSuccess.function: no function named nope/);
      await call(t.base, a.accountKey, 'PUT', '/v1/functions/first/event-invoke-config', {
        destinations: { onSuccess: { type: 'function', function: 'second' } },
      });
      const put = await call(t.base, a.accountKey, 'PUT', '/v1/functions/second/event-invoke-config', {
        destinations: { onSuccess: { type: 'webhook', url: hook } },
      });
      const secret = put.json.webhookSecret as string;
      expect(secret).toMatch(/^whsec_/);
      const again = await call(t.base, a.accountKey, 'PUT', '/v1/functions/second/event-invoke-config', {
        destinations: { onSuccess: { type: 'webhook', url: hook } },
      });
      expect(again.json.webhookSecret).toBeUndefined(); // shown once
      const brokenSecret = (
        await call(t.base, a.accountKey, 'PUT', '/v1/functions/broken/event-invoke-config', {
          maximumRetryAttempts: 1,
          destinations: { onFailure: { type: 'webhook', url: hook } },
        })
      ).json.webhookSecret as string;

      const first = await event(a.accountKey, 'first', { order: 66 });
      const broken = await event(a.accountKey, 'broken', { order: 67 });
      await until('two records', async () => received.length >= 2);
      await new Promise((r) => setTimeout(r, 1_500)); // nothing more arrives
      expect(received).toHaveLength(2);
      const byKey = new Map(received.map((r) => [r.headers['x-tally-idempotency-key'], r]));
      // Each function signs with its own secret.
      for (const r of received) {
        const ts = r.headers['x-tally-timestamp'] as string;
        const key = r.headers['x-tally-idempotency-key'] === broken.json.requestId ? brokenSecret : secret;
        expect(r.headers['x-tally-signature']).toBe(`sha256=${createHmac('sha256', key).update(`${ts}.${r.body}`).digest('hex')}`);
      }
      const failed = JSON.parse(byKey.get(broken.json.requestId)!.body);
      expect(failed).toMatchObject({
        version: '1.0',
        requestContext: {
          requestId: broken.json.requestId,
          // The api's region: us-east-1, TALLY_REGION's default (test/integration/region.test.ts sets another).
          functionArn: `arn:aws:lambda:us-east-1:${a.id}:function:broken:$LATEST`,
          condition: 'RetriesExhausted',
          approximateInvokeCount: 2,
        },
        requestPayload: { order: 67 },
        responseContext: { statusCode: 200, executedVersion: '1', functionError: 'Unhandled' },
        responsePayload: { errorType: 'TypeError', errorMessage: 'no good' },
      });
      // second's record reports second's run, whose event was first's record.
      const chained = JSON.parse(received.find((r) => r !== byKey.get(broken.json.requestId))!.body);
      expect(chained.requestContext).toMatchObject({ condition: 'Success', approximateInvokeCount: 1 });
      expect(chained.requestPayload).toMatchObject({
        requestContext: { requestId: first.json.requestId, condition: 'Success' },
        requestPayload: { order: 66 },
        responsePayload: { got: { order: 66 } },
      });
      expect(chained.responsePayload.got.requestContext.requestId).toBe(first.json.requestId);
      const shown = await describeInvocation(a.accountKey, broken.json.requestId);
      expect(shown.destinationDelivery).toMatchObject({ status: 'delivered', attempts: 1 });

      // One record per outcome: the database refuses a second one.
      const dup = await sql`
        insert into async_destination_deliveries (account_id, request_id, function_id, url, body, status, next_attempt_at, give_up_at)
        select account_id, request_id, function_id, url, body, status, next_attempt_at, give_up_at from async_destination_deliveries
         where request_id = ${broken.json.requestId}`
        .execute(t.db.db)
        .catch((err: { code?: string }) => err.code);
      expect(dup).toBe('23505');
    } finally {
      await server.close();
    }
  });
});

describe('through an alias', () => {
  it('runs the version the alias named when queued; the function and the destination record name the alias, as on Lambda', async () => {
    const received: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const hook = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
    try {
      const a = await newTenant(t.app);
      const whoami = makeZip([
        { name: 'index.js', data: 'exports.handler = async (e, c) => ({ arn: c.invokedFunctionArn, version: c.functionVersion });\n' },
      ]);
      await deploy(t.base, a.accountKey, 'named', whoami);
      expect((await call(t.base, a.accountKey, 'POST', '/v1/functions/named/published-versions', {})).status).toBe(201);
      expect((await call(t.base, a.accountKey, 'PUT', '/v1/functions/named/aliases/live', { version: 1 })).status).toBe(200);
      // Each qualifier has its own configuration (the event takes the one it was queued for): the same webhook on all three.
      for (const qualifier of ['', '?qualifier=live', '?qualifier=1']) {
        const put = await call(t.base, a.accountKey, 'PUT', `/v1/functions/named/event-invoke-config${qualifier}`, {
          destinations: { onSuccess: { type: 'webhook', url: hook } },
        });
        expect(put.status, put.text).toBe(200);
      }
      const arn = `arn:aws:lambda:us-east-1:${a.id}:function:named`;
      for (const [query, suffix] of [
        ['?alias=live', ':live'],
        ['?version=1', ':1'],
        ['', ''],
      ] as const) {
        received.length = 0;
        const r = await call(
          t.base,
          a.accountKey,
          'POST',
          `/v1/functions/named/invoke${query}`,
          {},
          { 'x-tally-invocation-type': 'Event' },
        );
        expect(r.status, r.text).toBe(202);
        await until(`the record of ${query || 'the unqualified call'}`, async () => received.length === 1);
        const record = JSON.parse(received[0]!);
        // Version 1 runs each time (Tally's latest is a numbered version too: context.functionVersion names it).
        expect(record.responsePayload).toEqual({ arn: `${arn}${suffix}`, version: '1' });
        expect(record.requestContext.functionArn).toMatch(new RegExp(`:function:named:${suffix === '' ? '\\$LATEST' : suffix.slice(1)}$`));
      }
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('destinations changed while an event runs', () => {
  it('the destinations in force when the run ends get its record, not those read when it was claimed', async () => {
    const a = await newTenant(t.app);
    const slow = makeZip([
      { name: 'index.js', data: 'exports.handler = async () => { await new Promise((r) => setTimeout(r, 1500)); return "done"; };' },
    ]);
    await deploy(t.base, a.accountKey, 'slow', slow);
    await deploy(t.base, a.accountKey, 'old-dest', zip);
    await deploy(t.base, a.accountKey, 'new-dest', zip);
    const configure = (destinations: unknown) =>
      call(t.base, a.accountKey, 'PUT', '/v1/functions/slow/event-invoke-config', { destinations });
    expect((await configure({ onSuccess: { type: 'function', function: 'old-dest' } })).status).toBe(200);

    const running = async (id: string) =>
      until('running', async () => {
        const d = await describeInvocation(a.accountKey, id);
        return d.status === 'running' && d.invocationIds.length === 1 ? d : null;
      });
    // Changed during the run: the new destination gets the record.
    const changed = (await event(a.accountKey, 'slow', { n: 1 })).json.requestId as string;
    await running(changed);
    expect((await configure({ onSuccess: { type: 'function', function: 'new-dest' } })).status).toBe(200);
    expect((await settled(a.accountKey, changed)).destination).toMatch(/^function new-dest \(request .+\)$/);

    // Removed during the run (the configuration deleted): no record at all.
    const removed = (await event(a.accountKey, 'slow', { n: 2 })).json.requestId as string;
    await running(removed);
    expect((await call(t.base, a.accountKey, 'DELETE', '/v1/functions/slow/event-invoke-config')).status).toBe(204);
    expect(await settled(a.accountKey, removed)).toMatchObject({ status: 'succeeded', destination: null });
    const { rows } = await sql<{ function_name: string }>`
      select function_name from async_invocations where account_id = ${a.id} and source = 'destination'`.execute(t.db.db);
    expect(rows.map((r) => r.function_name)).toEqual(['new-dest']);
  });
});

describe('webhook signing secret', () => {
  it('configurations written at once show only the secret that signs: each one shown verifies the records', async () => {
    const server = await receiver(204);
    const received = server.got;
    const hook = server.url;
    try {
      const a = await newTenant(t.app);
      await deploy(t.base, a.accountKey, 'signed', zip);
      // A client retrying a PUT it thinks was lost, or two tools applying the same configuration: all at once.
      const puts = await Promise.all(
        Array.from({ length: 6 }, () =>
          call(t.base, a.accountKey, 'PUT', '/v1/functions/signed/event-invoke-config', {
            destinations: { onSuccess: { type: 'webhook', url: hook } },
          }),
        ),
      );
      expect(puts.map((p) => p.status)).toEqual(puts.map(() => 200));
      const shown = puts.map((p) => p.json.webhookSecret as string | undefined).filter((s) => s !== undefined);
      expect(shown.length).toBeGreaterThan(0);

      const r = await event(a.accountKey, 'signed', { n: 1 });
      await until('the record', async () => received.length >= 1);
      const [got] = received;
      expect(got!.headers['x-tally-idempotency-key']).toBe(r.json.requestId);
      const ts = got!.headers['x-tally-timestamp'] as string;
      for (const secret of shown) {
        expect(got!.headers['x-tally-signature']).toBe(`sha256=${createHmac('sha256', secret).update(`${ts}.${got!.body}`).digest('hex')}`);
      }
    } finally {
      await server.close();
    }
  });
});
