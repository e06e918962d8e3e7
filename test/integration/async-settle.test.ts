import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { newTenant } from '../helpers/app.js';
import { call, deploy, makeZip, shiftedClock, until, useFunctionsApp } from '../helpers/functions.js';

/*
 * How one claim of an async event settles (docs/events.md), whatever the function answers. No worker
 * runs here: each test claims and runs events by hand through the service, so that what one claim
 * does is seen alone. (Found by a review, 2026-12-07.)
 */
const clock = shiftedClock();
const t = useFunctionsApp({ deps: { clock, events: { retryBaseMs: 300, leaseMs: 3_000 }, webhooks: { allowPrivate: true } } });

const CODE = `
exports.handler = async (event) => ({ got: event });
exports.nul = async () => { throw new Error('before' + String.fromCharCode(0) + 'after'); };
`;
const zip = makeZip([{ name: 'index.js', data: CODE }]);
const event = (key: string, name: string, body: unknown = {}) =>
  call(t.base, key, 'POST', `/v1/functions/${name}/invoke`, body, { 'x-tally-invocation-type': 'Event' });
const row = async (id: string) =>
  (
    await sql<{ status: string; attempts: number; dispatches: number; throttles: number }>`
      select status, attempts, dispatches, throttles from async_invocations where id = ${id}`.execute(t.db.db)
  ).rows[0]!;

describe('async invoke: settling a claim', () => {
  it('settles a failed run whose error message holds a NUL character (the function chooses its message)', async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'nul', zip, { handler: 'index.nul' });
    await call(t.base, a.accountKey, 'PUT', '/v1/functions/nul/event-invoke-config', { maximumRetryAttempts: 0 });
    const r = await event(a.accountKey, 'nul');
    expect(r.status).toBe(202);
    const claimed = await until('claimed', async () => {
      const c = await t.services.events.claim(10);
      return c.find((e) => e.id === r.json.requestId) ?? null;
    });
    // run() is what the worker calls; the worker does not catch its rejection (an unhandled
    // rejection ends the api process), so it must settle the event rather than throw.
    await expect(t.services.events.run(claimed)).resolves.toBeUndefined();
    expect(await row(r.json.requestId)).toMatchObject({ status: 'failed', attempts: 1 });
    const { rows } = await sql<{ last_error: string }>`select last_error from async_invocations where id = ${r.json.requestId}`.execute(
      t.db.db,
    );
    expect(rows[0]!.last_error).toContain('before\uFFFDafter');
  });

  it('approximateInvokeCount (dispatches) counts runs started, not throttled claims', async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'blocked', zip, { reservedConcurrency: 0 });
    const r = await event(a.accountKey, 'blocked');
    for (let i = 0; i < 3; i++) {
      const claimed = await until('claimed', async () => {
        const c = await t.services.events.claim(10);
        return c.find((e) => e.id === r.json.requestId) ?? null;
      });
      await t.services.events.run(claimed);
      clock.advance(10_000); // past the throttle backoff
    }
    const after = await row(r.json.requestId);
    expect(after).toMatchObject({ status: 'queued', attempts: 0, throttles: 3 });
    // docs/events.md: "`dispatches` (the record's `approximateInvokeCount`) counts runs started": none started.
    expect(after.dispatches).toBe(0);
  });
});

describe('async invoke: claiming is fair between accounts', () => {
  it("takes another account's event in the next claim, not after one account's whole backlog", async () => {
    const flood = await newTenant(t.app);
    const other = await newTenant(t.app);
    await deploy(t.base, flood.accountKey, 'busy', zip);
    await deploy(t.base, other.accountKey, 'quiet', zip);
    const backlog = [];
    for (let i = 0; i < 30; i++) backlog.push((await event(flood.accountKey, 'busy', { i })).json.requestId as string);
    const lone = (await event(other.accountKey, 'quiet')).json.requestId as string;
    // A claim of 4, the older events all the flooding account's: the other account's one event is among them.
    const claimed = await t.services.events.claim(4);
    expect(claimed).toHaveLength(4);
    expect(claimed.map((e) => e.id)).toContain(lone);
    expect(claimed.filter((e) => e.accountId === flood.id).map((e) => e.id)).toEqual(expect.arrayContaining([backlog[0]]));
    // Every due event is still claimed, each once: the rest of the backlog follows in later claims.
    const seen = new Set(claimed.map((e) => e.id));
    for (let round = 0; round < 20 && !backlog.every((id) => seen.has(id)); round++) {
      for (const e of await t.services.events.claim(4)) {
        expect(seen.has(e.id)).toBe(false);
        seen.add(e.id);
      }
    }
    expect(backlog.every((id) => seen.has(id))).toBe(true);
  });
});
