import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { startAsyncWorker, type AsyncWorker } from '../../src/jobs/async-worker.js';
import type { AsyncService } from '../../src/modules/async/async.service.js';
import { newTenant } from '../helpers/app.js';
import { call, deploy, makeZip, until, useFunctionsApp } from '../helpers/functions.js';

/*
 * A worker's stop() (docs/events.md, "The queue": a replica that stops keeps renewing the claims of the events it
 * still runs until they end) against a claim that was on its way to the database when stop() was called: the
 * events it brings back run on this replica too, so stop() must wait for them, renewing their claims. (Found by
 * review: stop() answered at once, the events ran unrenewed, and another replica ran them again.)
 */
const LEASE_MS = 600;
const t = useFunctionsApp({ deps: { events: { retryBaseMs: 300, leaseMs: LEASE_MS } } });
const workers: AsyncWorker[] = [];
afterAll(async () => {
  for (const w of workers) await w.stop();
});

// Runs for longer than the lease: only renewals keep another replica from claiming it meanwhile.
const zip = makeZip([
  { name: 'index.js', data: 'exports.handler = async () => { await new Promise((r) => setTimeout(r, 2000)); return "done"; };' },
]);

describe('async worker stop()', () => {
  it('waits for the events a claim in flight brought back, renewing them: no other replica runs them again', async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'slow', zip);
    const { requestId } = (
      await call(t.base, a.accountKey, 'POST', '/v1/functions/slow/invoke', {}, { 'x-tally-invocation-type': 'Event' })
    ).json as { requestId: string };

    // This replica's claim is held on its way until stop() has been called.
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const real = t.services.events;
    const gated: AsyncService = {
      ...real,
      claim: async (limit: number) => {
        await gate;
        return real.claim(limit);
      },
    };
    const stopping = startAsyncWorker({ events: gated, log: t.app.log, options: { pollMs: 20 } });
    await new Promise((r) => setTimeout(r, 100)); // its first pump is waiting at the gate
    const stopped = stopping.stop();
    open();
    await stopped;

    // Another replica polls the same queue from now on.
    const other = startAsyncWorker({ events: real, log: t.app.log, options: { pollMs: 20 } });
    workers.push(other);
    const done = await until('settled', async () => {
      const d = (await call(t.base, a.accountKey, 'GET', `/v1/invocations/${requestId}`)).json;
      return d.status === 'succeeded' ? d : null;
    });
    await new Promise((r) => setTimeout(r, 3 * LEASE_MS)); // a second run, had there been one, has started
    const again = (await call(t.base, a.accountKey, 'GET', `/v1/invocations/${requestId}`)).json;
    expect(again.invocationIds).toEqual(done.invocationIds);
    expect(done.invocationIds).toHaveLength(1);
    const runs = await until('usage', async () => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from usage_events where account_id = ${a.id}`.execute(t.db.db);
      return rows[0]!.n > 0 ? rows[0]!.n : null;
    });
    expect(runs).toBe(1);
  });
});
